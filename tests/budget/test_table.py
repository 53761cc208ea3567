"""The budget execution table (预算执行情况表): figures from the ledger, subtotals, time
progress, charts, in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from budget import selectors, services
from budget.models import BudgetMovement

from .factories import BudgetLineFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def activity(lines, new_case, office):
    """hard: 3000 arranged of which 1000 paid, 500 in approval, 2000 contracted; other: 800 paid."""
    arranged = new_case("3000.00", line=lines.hard)
    services.case_budget_reserve(case=arranged, actor=office.clerk)
    services.case_budget_arrange(case=arranged, actor=office.head)
    services.budget_execute(line=lines.hard, amount="1000.00", source=office.unit, case=arranged,
                            occurred_on=dt.date(lines.hard.year, 3, 15))
    services.case_budget_reserve(case=new_case("500.00", line=lines.hard), actor=office.clerk)
    services.budget_commit(line=lines.hard, amount="2000.00", source=office.community)
    services.budget_execute(line=lines.other, amount="800.00", source=office.unit, occurred_on=dt.date(lines.hard.year, 5, 2))
    return arranged


def test_each_line_shows_its_figures_from_the_ledger(activity, lines, office, year):
    table = selectors.execution_table(user=office.finance_reviewer, year=year)
    by_line = {row.line.pk: row.figures for row in table.rows if row.kind == "line"}
    hard = by_line[lines.hard.pk]
    assert (hard.amount, hard.adjustments, hard.adjusted) == (D("10000.00"), D("0.00"), D("10000.00"))
    assert (hard.in_approval, hard.arranged, hard.contracted, hard.paid) == (D("500.00"), D("2000.00"), D("2000.00"), D("1000.00"))
    assert hard.available == D("4500.00")
    assert hard.execution_rate == D("10.00")
    assert by_line[lines.other.pk].paid == D("800.00")
    assert by_line[lines.community.pk].available == D("20000.00")


def test_subtotals_by_project_unit_and_economic_class_add_up(activity, lines, office, year):
    table = selectors.execution_table(user=office.finance_reviewer, year=year)
    kinds = [(r.kind, r.label) for r in table.rows]
    # lines of a project, then its subtotal; the unit's total after its last project
    unit_total = kinds.index(("unit", "公共服务办公室"))
    assert kinds.index(("project", "社区服务项目")) < unit_total and kinds.index(("project", "日常运转")) < unit_total
    assert kinds[unit_total - 1][0] == "project" and kinds[-1] == ("unit", "新桥社区")
    units = {g.label: g.figures for g in table.by_unit}
    assert units["公共服务办公室"].amount == D("24000.00")
    assert units["公共服务办公室"].paid == D("1800.00")
    assert units["新桥社区"].amount == D("20000.00")
    econ = {g.economic_code: g for g in table.by_economic}
    assert econ["30201"].figures.amount == D("38000.00") and econ["30201"].count == 3
    assert econ["30201"].figures.paid == D("1800.00")
    assert table.total.amount == D("44000.00")
    assert table.total.paid == sum((g.figures.paid for g in table.by_unit), D("0"))
    assert table.line_count == 5


def test_filters_by_unit_and_fund_source(activity, lines, office, year):
    only_gfb = selectors.execution_table(user=office.finance_reviewer, year=year, unit_id=office.unit.pk)
    assert {r.line.unit_id for r in only_gfb.rows if r.kind == "line"} == {office.unit.pk}
    other = selectors.execution_table(user=office.finance_reviewer, year=year, fund_source="other")
    assert [r.line.pk for r in other.rows if r.kind == "line"] == [lines.other.pk]
    assert selectors.execution_table(user=office.finance_reviewer, year=year - 1).rows == []


def test_approved_adjustments_change_the_adjusted_budget(lines, office, year, new_case):
    case = new_case("1000.00")
    BudgetMovement.objects.create(line=lines.hard, kind="adjust", amount=D("2500.00"), case=case, note="追加")
    BudgetMovement.objects.create(line=lines.hard, kind="adjust", amount=D("-500.00"), case=case, note="调减")
    fig = selectors.line_figures(lines.hard)
    assert (fig.adjustments, fig.adjusted, fig.available) == (D("2000.00"), D("12000.00"), D("12000.00"))


@pytest.mark.parametrize(
    "today, expected",
    [(dt.date(2026, 1, 1), "0.27"), (dt.date(2026, 7, 2), "50.14"), (dt.date(2026, 12, 31), "100.00"), (dt.date(2027, 3, 1), "100.00")],
)
def test_time_progress_is_the_share_of_the_year_elapsed(today, expected):
    assert selectors.time_progress(2026, today) == D(expected)
    assert selectors.time_progress(2028, today) == D("0.00")


def test_monthly_paid_and_chart_data(activity, lines, office, year):
    months = selectors.monthly_paid(user=office.finance_reviewer, year=year)
    assert months[2] == D("1000.00") and months[4] == D("800.00") and sum(months) == D("1800.00")
    table = selectors.execution_table(user=office.finance_reviewer, year=year)
    data = selectors.chart_data(table, months)
    assert data["units"] == ["公共服务办公室", "新桥社区"]
    assert data["paid"] == ["1800.00", "0.00"]
    assert data["cumulative_rate"][11] == str((D("1800.00") * 100 / D("44000.00")).quantize(D("0.01")))
    assert data["time_progress"][11] == "100.00"


def _page_queries(client, user, django_assert_max_num_queries, n):
    client.force_login(user)
    with django_assert_max_num_queries(n) as ctx:
        response = client.get(reverse("budget:index"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_page_runs_a_constant_number_of_queries(client, office, year, django_assert_max_num_queries):
    for i in range(3):
        BudgetLineFactory(unit=office.unit, year=year, project=f"项目{i}")
    few = _page_queries(client, office.finance_reviewer, django_assert_max_num_queries, 20)
    for i in range(60):
        line = BudgetLineFactory(unit=office.units["czb" if i % 2 else "jsb"], year=year, project=f"大项目{i % 7}",
                                 economic_code=f"302{i % 30:02d}")
        BudgetMovement.objects.create(line=line, kind="execute", amount=D("10.00"))
    many = _page_queries(client, office.finance_reviewer, django_assert_max_num_queries, 20)
    assert many == few


def test_the_table_is_one_aggregate_query(office, year, django_assert_num_queries, lines, activity):
    with django_assert_num_queries(1):
        rows = list(selectors.execution_queryset(scope=None, year=year))
        assert len(rows) == 5 and rows[0].unit.name  # units come with the lines
