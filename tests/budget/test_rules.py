"""The budget risk rules (BUD-02..05), each on both sides of its threshold, as the engine
runs them (approvals.rules registry, the administrator's parameters)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from approvals import rules
from budget import services

from .test_sections import adjustment, approve_all, catalogue  # noqa: F401  (their fixtures)

pytestmark = pytest.mark.django_db


def _scan(code, on=None, **params):
    rule = rules.get_rule(code)
    return list(rule.scan({**rule.defaults(), **params}, {"on": on} if on else None))


def _pay(line, amount, on, office):
    services.budget_execute(line=line, amount=D(amount), source=office.unit, actor=office.accountant, occurred_on=on)


def test_execution_behind_time_progress(lines, office, year):
    from budget.selectors import time_progress

    on = dt.date(year, 7, 2)
    progress = time_progress(year, on)  # about 50%
    _pay(lines.hard, str((progress - 20) * 100), on, office)  # exactly 20 points behind: not more than the lag
    _pay(lines.other, str((progress - 20) * 80 - 1), on, office)  # a yuan less: behind by more
    found = {f.records[0][1]: f for f in _scan("BUD-03", on)}
    assert lines.hard.pk not in found
    assert found[lines.other.pk].figures["time_progress"] == str(progress)
    assert lines.free.pk in found  # nothing paid at all
    assert _scan("BUD-03", dt.date(year, 3, 31)) == []  # not judged before April


def test_year_end_rush(lines, office, year):
    _pay(lines.other, "5600.00", dt.date(year, 6, 1), office)
    _pay(lines.other, "2400.00", dt.date(year, 12, 5), office)  # 30% in December: not more than 30%
    assert _scan("BUD-04", dt.date(year, 12, 31)) == []
    _pay(lines.free, "699.00", dt.date(year, 3, 1), office)
    _pay(lines.free, "301.00", dt.date(year, 12, 6), office)  # 30.1%
    (finding,) = _scan("BUD-04", dt.date(year, 12, 31))
    assert finding.records == (("budget.budgetline", lines.free.pk),) and finding.figures["share"] == "30.10"


def test_frequent_adjustments(adjustment, lines, office):  # noqa: F811
    for _ in range(2):
        approve_all(_submitted(adjustment("increase", "100.00", lines.hard), office))
    assert _scan("BUD-05") == []
    approve_all(_submitted(adjustment("transfer", "100.00", lines.other, lines.hard), office))  # in: the third
    (finding,) = [f for f in _scan("BUD-05") if f.records[0][1] == lines.hard.pk]
    assert finding.figures == {"adjustments": 3, "threshold": 3}
    # a rejected or pending one does not count
    _submitted(adjustment("increase", "100.00", lines.other), office)
    assert [f.records[0][1] for f in _scan("BUD-05")] == [lines.hard.pk]


def test_line_nearly_exhausted_at_the_parameter_given(lines, office, year):
    _pay(lines.hard, "8500.00", dt.date(year, 5, 1), office)
    assert _scan("BUD-02") == []
    assert [f.records[0][1] for f in _scan("BUD-02", share="85")] == [lines.hard.pk]


def _submitted(case, office):
    from approvals import services as approvals

    approvals.case_submit(case=case, actor=office.finance_reviewer)
    case.refresh_from_db()
    return case


@pytest.fixture
def filed(office, catalogue):
    """A submitted-ready spending form of the clerk on a line (the seeded matter and its policies)."""
    from approvals import services as approvals

    def make(amount, line):
        case = approvals.case_create(matter=catalogue["CW-SQSP"], applicant=office.clerk, title="办公用品",
                                     reason="日常办公", amount=amount)
        services.case_budget_set(case=case, line=line)
        return case

    return make


def test_a_submission_that_brings_its_line_to_the_share_is_warned_in_the_trail(lines, office, filed, year):
    from approvals import services as approvals
    from approvals.models import Action

    _pay(lines.hard, "8000.00", dt.date(year, 5, 1), office)
    small = filed("500.00", lines.hard)  # 85%: nothing
    assert approvals.case_submit(case=small, actor=office.clerk) == []
    case = filed("500.00", lines.hard)  # 90%: warned
    warnings = approvals.case_submit(case=case, actor=office.clerk)
    assert len(warnings) == 1 and "BUD-02" in warnings[0] and "90.00%" in warnings[0]
    assert "BUD-02" in Action.objects.get(case=case, kind="submit").comment


def test_a_rule_set_to_block_refuses_the_submission_and_saves_nothing(lines, office, filed, year):
    from approvals import services as approvals
    from approvals.exceptions import ApprovalError
    from budget import selectors
    from risk.models import RuleSetting

    RuleSetting.objects.create(code="BUD-02", severity="low", mode="block", params={"share": "90"})
    _pay(lines.hard, "8500.00", dt.date(year, 5, 1), office)
    case = filed("500.00", lines.hard)
    before = selectors.line_figures(lines.hard)
    with pytest.raises(ApprovalError) as exc:
        approvals.case_submit(case=case, actor=office.clerk)
    assert exc.value.code == "risk_block" and "BUD-02" in exc.value.message
    case.refresh_from_db()
    assert case.status == "draft" and not case.actions.filter(kind="submit").exists()
    assert selectors.line_figures(lines.hard).in_approval == before.in_approval
