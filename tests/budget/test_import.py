"""Importing a year's lines from the .xlsx template: all rows or none, with a row-by-row report."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from budget import services, xlsx
from budget.exceptions import BudgetError, BudgetImportError
from budget.models import BudgetLine

from .factories import BudgetLineFactory

pytestmark = pytest.mark.django_db

GOOD = [
    ["GFB", "社区服务项目", "2010301", "行政运行", "30201", "办公费", "财政拨款", 120000, "刚性控制", ""],
    ["GFB", "社区服务项目", "2010301", "行政运行", "30211", "差旅费", "财政拨款", "35,000.50", "预警控制", "含市内交通"],
    ["SQ01", "社区党建", 2013299, "其他组织事务支出", 30201, "办公费", "其他资金", 8000.25, "", None],
]


def workbook_bytes(rows, *, year=2026, template=True) -> bytes:
    buf = io.BytesIO()
    if template:
        xlsx.build_template(buf, year=year)
        wb = load_workbook(io.BytesIO(buf.getvalue()))
        ws = wb.worksheets[0]
    else:
        wb = Workbook()
        ws = wb.active
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(content: bytes, name="预算指标.xlsx"):
    return SimpleUploadedFile(name, content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def test_a_good_file_imports_every_line_with_history(office):
    created = services.budget_import(year=2026, file=io.BytesIO(workbook_bytes(GOOD)), actor=office.finance_reviewer)
    assert len(created) == 3
    lines = {(ln.unit.code, ln.economic_code, ln.fund_source): ln for ln in BudgetLine.objects.filter(year=2026)}
    travel = lines[("GFB", "30211", "fiscal")]
    assert travel.amount == Decimal("35000.50") and travel.control_mode == "warn" and travel.note == "含市内交通"
    community = lines[("SQ01", "30201", "other")]
    assert community.amount == Decimal("8000.25") and community.control_mode == "hard"
    assert community.functional_code == "2013299"
    assert travel.history.count() == 1 and travel.history.first().history_user == office.finance_reviewer


@pytest.mark.parametrize(
    "row, reason",
    [
        (["NOPE", "项目", "2010301", "行政运行", "30201", "办公费", "财政拨款", 100, "", ""], "单位编码“NOPE”不存在"),
        (["GFB", "", "2010301", "行政运行", "30201", "办公费", "财政拨款", 100, "", ""], "项目名称为空"),
        (["GFB", "项目", "201030", "行政运行", "30201", "办公费", "财政拨款", 100, "", ""], "7 位数字"),
        (["GFB", "项目", "2010301", "行政运行", "3020A", "办公费", "财政拨款", 100, "", ""], "5 位数字"),
        (["GFB", "项目", "2010301", "行政运行", "30201", "办公费", "自筹", 100, "", ""], "资金来源“自筹”"),
        (["GFB", "项目", "2010301", "行政运行", "30201", "办公费", "财政拨款", "一万", "", ""], "不是数字"),
        (["GFB", "项目", "2010301", "行政运行", "30201", "办公费", "财政拨款", -1, "", ""], "不能为负数"),
        (["GFB", "项目", "2010301", "行政运行", "30201", "办公费", "财政拨款", 1.005, "", ""], "两位小数"),
        (["GFB", "项目", "2010301", "行政运行", "30201", "办公费", "财政拨款", None, "", ""], "年初预算为空"),
        (["GFB", "项目", "2010301", "行政运行", "30201", "办公费", "财政拨款", 100, "严格", ""], "控制方式“严格”"),
    ],
)
def test_one_bad_row_rejects_the_whole_file_naming_the_row_and_the_reason(office, row, reason):
    content = workbook_bytes([GOOD[0], row, GOOD[2]])
    with pytest.raises(BudgetImportError) as exc:
        services.budget_import(year=2026, file=io.BytesIO(content), actor=office.finance_reviewer)
    assert [r for r, _ in exc.value.errors] == [3]
    assert reason in exc.value.errors[0][1]
    assert not BudgetLine.objects.exists()


def test_every_bad_row_is_reported_and_duplicates_are_caught(office):
    BudgetLineFactory(unit=office.unit, year=2026, project="已有项目", functional_code="2010301", economic_code="30201")
    rows = [
        GOOD[0],
        GOOD[0],  # same line twice
        ["GFB", "已有项目", "2010301", "行政运行", "30201", "办公费", "财政拨款", 1, "", ""],  # exists already
        [None] * 10,  # blank rows are ignored
        ["", "", "", "", "", "", "", "", "", ""],
        ["XX", "", "1", "", "2", "", "", "x", "", ""],
    ]
    with pytest.raises(BudgetImportError) as exc:
        services.budget_import(year=2026, file=io.BytesIO(workbook_bytes(rows)), actor=office.finance_reviewer)
    by_row = dict(exc.value.errors)
    assert set(by_row) == {3, 4, 7}
    assert "第 2 行" in by_row[3]
    assert "已存在" in by_row[4]
    assert by_row[7].count("；") >= 5  # every problem of the row, not only the first
    assert BudgetLine.objects.count() == 1


@pytest.mark.parametrize(
    "content, reason",
    [
        (lambda: b"not a spreadsheet", "不是有效的 .xlsx"),
        (lambda: workbook_bytes([["GFB", "x"]], template=False), "表头"),
        (lambda: workbook_bytes([]), "没有预算指标"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(office, content, reason):
    content = content()
    with pytest.raises(BudgetImportError) as exc:
        services.budget_import(year=2026, file=io.BytesIO(content), actor=office.finance_reviewer)
    assert reason in exc.value.errors[0][1]
    assert not BudgetLine.objects.exists()


def test_only_the_finance_office_may_import(office):
    with pytest.raises(BudgetError):
        services.budget_import(year=2026, file=io.BytesIO(workbook_bytes(GOOD)), actor=office.clerk)
    assert not BudgetLine.objects.exists()


# --- through the page --------------------------------------------------------------------------
def test_import_page_reports_bad_rows_and_saves_nothing(client, office):
    client.force_login(office.finance_reviewer)
    bad = ["GFB", "项目", "2010301", "行政运行", "30201", "办公费", "财政拨款", -5, "", ""]
    response = client.post(reverse("budget:import"), {"year": 2026, "file": upload(workbook_bytes([GOOD[0], bad]))})
    assert response.status_code == 400
    html = response.content.decode()
    assert "没有导入任何数据" in html or "未导入" in html
    assert "不能为负数" in html and "<td>3</td>" in html
    assert not BudgetLine.objects.exists()


def test_import_page_imports_a_good_file(client, office):
    client.force_login(office.finance_reviewer)
    response = client.post(reverse("budget:import"), {"year": 2026, "file": upload(workbook_bytes(GOOD))})
    assert response.status_code == 302
    assert BudgetLine.objects.filter(year=2026).count() == 3


def test_import_page_refuses_a_non_xlsx_upload(client, office):
    client.force_login(office.finance_reviewer)
    response = client.post(reverse("budget:import"), {"year": 2026, "file": upload(b"a,b", name="lines.csv")})
    assert response.status_code == 400
    assert ".xlsx" in response.content.decode()
    assert not BudgetLine.objects.exists()


def test_template_download_is_the_file_the_import_reads(client, office):
    client.force_login(office.accountant)
    response = client.get(reverse("budget:import_template") + "?year=2027")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    header = [c.value for c in wb.worksheets[0][1]]
    assert header[:3] == ["单位编码", "项目名称", "功能分类编码"]
    codes = [row[0] for row in wb.worksheets[1].iter_rows(values_only=True)]
    assert "GFB" in codes


@pytest.mark.parametrize("who", ["clerk", "head", "leader", "supervisor"])
def test_import_pages_are_for_the_finance_office_only(client, office, who):
    client.force_login(getattr(office, who))
    assert client.get(reverse("budget:import")).status_code == 403
    assert client.get(reverse("budget:import_template")).status_code == 403
    response = client.post(reverse("budget:import"), {"year": 2026, "file": upload(workbook_bytes(GOOD))})
    assert response.status_code == 403
    assert not BudgetLine.objects.exists()
