"""Budget pages: who sees what (deny by default), drill-down, the .xlsx export (small ones
streamed, large ones as a background job with progress and an owner-only download), charts
without inline scripts."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from budget import services
from budget.models import ExportJob
from tests.factories import UserFactory
from tests.xlsx_checks import assert_print_ready, sum_rows, value

from .factories import BudgetLineFactory

pytestmark = pytest.mark.django_db
D = Decimal


def line_ids(response) -> set[int]:
    return {int(x) for x in re.findall(r'data-line="(\d+)"', response.content.decode())}


@pytest.mark.parametrize("who", ["finance_reviewer", "accountant", "cashier", "supervisor", "principal", "admin"])
def test_finance_supervisors_principal_and_admins_see_every_unit(client, office, lines, who):
    client.force_login(getattr(office, who))
    response = client.get(reverse("budget:index"))
    assert response.status_code == 200
    assert line_ids(response) == {lines.hard.pk, lines.warn.pk, lines.free.pk, lines.other.pk, lines.community.pk}


@pytest.mark.parametrize("who", ["clerk", "head"])
def test_unit_heads_and_clerks_see_their_unit_only(client, office, lines, who):
    client.force_login(getattr(office, who))
    response = client.get(reverse("budget:index"))
    assert line_ids(response) == {lines.hard.pk, lines.warn.pk, lines.free.pk, lines.other.pk}
    assert client.get(reverse("budget:line_detail", args=[lines.community.pk])).status_code == 403
    assert client.get(reverse("budget:line_detail", args=[lines.hard.pk])).status_code == 200


def test_leader_in_charge_sees_the_units_they_supervise(client, office, lines, year):
    czb_line = BudgetLineFactory(unit=office.units["czb"], year=year)
    client.force_login(office.leader)  # supervises 公共服务办 and the community, not 财政办
    ids = line_ids(client.get(reverse("budget:index")))
    assert lines.community.pk in ids and lines.hard.pk in ids and czb_line.pk not in ids
    client.force_login(office.finance_leader)
    assert line_ids(client.get(reverse("budget:index"))) == {czb_line.pk}


def test_a_person_without_a_role_is_denied_everything(client, office, lines):
    nobody = UserFactory(unit=office.unit, roles=[])
    client.force_login(nobody)
    for url in (reverse("budget:index"), reverse("budget:ledger"), reverse("budget:line_detail", args=[lines.hard.pk])):
        assert client.get(url).status_code == 403
    assert client.post(reverse("budget:export"), {"year": lines.hard.year}).status_code == 403


def test_anonymous_visitors_are_sent_to_login(client, lines):
    response = client.get(reverse("budget:index"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unit_filter_cannot_reach_beyond_what_the_person_sees(client, office, lines):
    client.force_login(office.clerk)
    response = client.get(reverse("budget:index"), {"unit": office.community.pk})
    assert lines.community.pk not in line_ids(response)


def test_page_in_chinese_with_time_progress_and_drill_down_links(client, office, lines, new_case, year):
    services.budget_execute(line=lines.hard, amount="2500.00", source=office.unit)
    client.force_login(office.finance_reviewer)
    html = client.get(reverse("budget:index"), {"year": year}).content.decode()
    assert f"{year}年度预算执行情况表" in html
    assert "时间进度" in html and "执行率" in html and "小计：社区服务项目" in html and "公共服务办公室合计" in html
    assert f'href="/budget/ledger/?line={lines.hard.pk}&amp;figure=paid">2,500.00</a>' in html


def test_drill_down_lists_the_rows_behind_a_figure(client, office, lines, new_case):
    case = new_case("1200.00", line=lines.hard)
    services.case_budget_reserve(case=case, actor=office.clerk)
    services.budget_execute(line=lines.hard, amount="300.00", source=office.unit)
    client.force_login(office.head)
    response = client.get(reverse("budget:ledger"), {"line": lines.hard.pk, "figure": "in_approval"})
    html = response.content.decode()
    assert response.status_code == 200
    assert case.number in html and "1,200.00" in html and "300.00" not in html.split("data-testid=\"movements\"")[1]
    assert response.context["total"] == D("1200.00")
    # a figure of another unit's line is not reachable by the drill-down
    other = client.get(reverse("budget:ledger"), {"line": lines.community.pk})
    assert other.status_code == 403
    by_unit = client.get(reverse("budget:ledger"), {"unit": office.community.pk, "figure": "paid"})
    assert by_unit.context["total"] is None


def test_ledger_page_runs_a_constant_number_of_queries(client, office, lines, new_case, django_assert_max_num_queries):
    def queries():
        with django_assert_max_num_queries(20) as ctx:
            response = client.get(reverse("budget:ledger"), {"line": lines.free.pk})
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.context["movements"])

    client.force_login(office.head)
    services.case_budget_reserve(case=new_case("10.00", line=lines.free), actor=office.clerk)
    few, rows = queries()
    assert rows == 1
    for i in range(30):
        services.case_budget_reserve(case=new_case("10.00", line=lines.free), actor=office.clerk)
    many, rows = queries()
    assert rows == 31 and many == few


def test_line_page_shows_the_cases_and_history(client, office, lines, new_case):
    case = new_case("700.00", line=lines.hard)
    services.case_budget_reserve(case=case, actor=office.clerk)
    client.force_login(office.clerk)
    html = client.get(reverse("budget:line_detail", args=[lines.hard.pk])).content.decode()
    assert case.number in html and "已预占（审批中）" in html and "¥9,300.00" in html


def test_pages_carry_no_inline_script(client, office, lines):
    client.force_login(office.finance_reviewer)
    html = client.get(reverse("budget:index")).content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    for attrs, body in scripts:
        assert "src=" in attrs or 'type="application/json"' in attrs, attrs
        if "src=" in attrs:
            assert body.strip() == ""
    assert "budget/charts.js" in html and "vendor/echarts/echarts.min.js" in html
    assert 'id="budget-chart-data"' in html
    assert " style=" not in html.split("<main")[1]


# --- export -------------------------------------------------------------------------------------
def test_small_export_is_a_formatted_workbook(client, office, lines, year):
    services.budget_execute(line=lines.hard, amount="1234.56", source=office.unit)
    client.force_login(office.accountant)
    response = client.post(reverse("budget:export"), {"year": year})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb.worksheets[0]
    first, last, totals_row = assert_print_ready(ws, title=f"{year}年度预算执行情况表", money_col=7)
    assert "编制时间" in ws["A2"].value and "单位：元" in ws["A2"].value and office.accountant.get_full_name() in ws["A2"].value
    assert ws["A3"].value == "单位" and ws["M3"].value == "已支付"
    assert ws.freeze_panes == "C4"
    assert ws.column_dimensions["B"].width == 26
    rows = list(ws.iter_rows(min_row=4, values_only=False))
    labels = [r[0].value or r[1].value for r in rows]
    assert "小计：社区服务项目" in labels and "公共服务办公室合计" in labels and labels[-1] == "总计"
    hard_row = next(r for r in rows if r[1].value == "社区服务项目" and r[3].value == "30201 办公费")
    assert hard_row[12].value == 1234.56 and hard_row[12].number_format == "#,##0.00"
    assert hard_row[14].number_format == "0.00%"
    total = rows[-1]
    assert totals_row == total[6].row == last + 1 and total[6].font.b
    # the totals are formulas: a project's over exactly its lines, and every line counted once in the grand total
    assert value(ws, total[6]) == 44000
    line_rows = {r[0].row for r in rows if r[0].value and r[1].value and not str(r[1].value).startswith("小计")}
    covered, run = set(), set()
    for r in rows:
        if r[0].row in line_rows:
            run.add(r[0].row)
        elif str(r[1].value or "").startswith("小计："):
            assert r[6].value.startswith("=SUM(") and sum_rows(r[6].value) == run
            covered |= run
            run = set()
    assert covered == line_rows
    assert value(ws, total[12]) == Decimal("1234.56")


def test_export_covers_only_what_the_person_sees(client, office, lines, year):
    client.force_login(office.community_clerk)
    response = client.post(reverse("budget:export"), {"year": year})
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    units = {r[0] for r in ws.iter_rows(min_row=4, values_only=True) if r[1] and not str(r[1]).startswith("小计")}
    assert units == {"新桥社区"}


def test_large_export_runs_as_a_job_with_progress_and_an_owner_only_download(
    client, office, lines, year, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.BUDGET_EXPORT_SYNC_LIMIT = 2
    settings.MEDIA_ROOT = tmp_path
    client.force_login(office.finance_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("budget:export"), {"year": year})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("budget:export_job", args=[job.pk])
    # no broker in tests: the task ran eagerly once the job was committed
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.done == job.total == 5
    page = client.get(response["Location"]).content.decode()
    assert "<progress" in page and reverse("budget:export_download", args=[job.pk]) in page
    progress = client.get(reverse("budget:export_progress", args=[job.pk]))
    assert "hx-trigger" not in progress.content.decode()  # finished: polling stops
    download = client.get(reverse("budget:export_download", args=[job.pk]))
    assert download.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0]
    assert ws["A1"].value.endswith(f"{year}年度预算执行情况表") and ws.auto_filter.ref.startswith("A3:")
    client.force_login(office.accountant)
    assert client.get(reverse("budget:export_download", args=[job.pk])).status_code == 403
    assert client.get(reverse("budget:export_job", args=[job.pk])).status_code == 403


def test_running_job_page_polls_for_progress(client, office, lines, year):
    job = ExportJob.objects.create(user=office.finance_reviewer, params={"year": year}, total=100, done=40,
                                   status=ExportJob.Status.RUNNING)
    client.force_login(office.finance_reviewer)
    html = client.get(reverse("budget:export_progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="40"' in html and "40%" in html
    assert client.get(reverse("budget:export_download", args=[job.pk])).status_code == 404


def test_an_export_job_is_built_once(office, lines, year, settings, tmp_path):
    from budget.exports import export_job_run

    settings.MEDIA_ROOT = tmp_path
    job = ExportJob.objects.create(user=office.finance_reviewer, params={"year": year})
    assert export_job_run(job_id=job.pk) is True
    assert export_job_run(job_id=job.pk) is False  # a redelivered task finds it claimed
    assert (tmp_path / "exports" / f"{job.pk}.xlsx").exists()


def test_old_exports_are_purged(office, year, settings, tmp_path):
    import datetime as dt

    from django.utils import timezone

    from budget.exports import export_job_run, purge_old_exports

    settings.MEDIA_ROOT = tmp_path
    old = ExportJob.objects.create(user=office.finance_reviewer, params={"year": year})
    export_job_run(job_id=old.pk)
    ExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    fresh = ExportJob.objects.create(user=office.finance_reviewer, params={"year": year})
    assert purge_old_exports() == 1
    assert list(ExportJob.objects.all()) == [fresh]
    assert not (tmp_path / "exports" / f"{old.pk}.xlsx").exists()


def test_a_big_table_opens_on_the_unit_summary(client, office, lines, year, monkeypatch):
    monkeypatch.setattr("budget.views.SUMMARY_ABOVE", 3)
    client.force_login(office.finance_reviewer)
    summary = client.get(reverse("budget:index"), {"year": year})
    html = summary.content.decode()
    assert line_ids(summary) == set() and f'data-unit="{office.unit.pk}"' in html and 'data-testid="detail-view"' in html
    assert len(line_ids(client.get(reverse("budget:index"), {"year": year, "detail": 1}))) == 5
    assert len(line_ids(client.get(reverse("budget:index"), {"year": year, "unit": office.community.pk}))) == 1
