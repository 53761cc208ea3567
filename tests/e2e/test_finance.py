"""Finance downloads the budget execution table as .xlsx from the browser; the workbook's
figures are the ledger's."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from budget import selectors as budget_selectors
from budget.models import BudgetLine
from tests.xlsx_checks import value as xlsx_value

from .flows import file_case, office_line

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FIGURE_COLUMNS = ("amount", "adjustments", "adjusted", "in_approval", "arranged", "contracted", "paid", "available")


def _money(value) -> Decimal:
    assert isinstance(value, (int, float, Decimal)), f"{value!r} is not a number in the sheet"
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_finance_downloads_the_budget_execution_xlsx(open_session, office, seeded, tmp_path):
    year = timezone.localdate().year
    line = office_line(office.unit, "30201")
    # one form in approval on the line, so every kind of figure is non-trivial
    file_case(matter=seeded.matters["CW-SQSP"], applicant=office.clerk, amount="1234.56", title="打印纸采购", line=line)

    s = open_session().sign_in(office.finance_reviewer, office.password)
    page = s.page
    page.get_by_test_id("sidenav").get_by_role("link", name="预算").click()
    page.get_by_test_id("export").wait_for()
    with page.expect_download() as info:
        page.get_by_test_id("export").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx") and str(year) in download.suggested_filename
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    ws = load_workbook(path).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert str(year) in rows[0][0]
    header = [str(h) for h in rows[2]]
    assert header[:2] == ["单位", "项目"] and header[-2:] == ["可用余额", "执行率"]

    # every line of the year is in the sheet, with exactly the figures of the ledger
    lines = {(ln.unit.name, ln.project, f"{ln.economic_code} {ln.economic_name}", ln.fund_source): ln
             for ln in BudgetLine.objects.filter(year=year, is_active=True).select_related("unit")}
    fund_labels = {"财政拨款": "fiscal", "其他资金": "other"}
    seen = set()
    for row in rows[3:]:
        key = (row[0], row[1], row[3], fund_labels.get(row[4]))
        if key not in lines:
            continue  # subtotal or total rows
        ln = lines[key]
        fig = budget_selectors.line_figures(ln)
        for col, name in enumerate(FIGURE_COLUMNS, start=6):
            assert _money(row[col]) == getattr(fig, name), (ln, name)
        rate = fig.execution_rate
        assert (row[14] is None) if rate is None else abs(Decimal(str(row[14])) * 100 - rate) < Decimal("0.005")
        seen.add(key)
    assert seen == set(lines), f"lines missing from the sheet: {set(lines) - seen}"

    # the form in approval shows on its line; the grand total adds up every line
    ours = next(r for r in rows if (r[0], r[1], r[3]) == (line.unit.name, line.project, f"{line.economic_code} {line.economic_name}"))
    assert _money(ours[9]) >= Decimal("1234.56")
    # the grand total is a formula over the units' totals: computed, it is the ledger's total
    total_row = next(i for i, r in enumerate(rows, start=1) if r[0] == "总计")
    assert str(rows[total_row - 1][6]).startswith("=SUM(")
    total = [xlsx_value(ws, ws.cell(row=total_row, column=c)) for c in range(1, 16)]
    table = budget_selectors.execution_table(user=office.finance_reviewer, year=year)
    for col, name in enumerate(FIGURE_COLUMNS, start=6):
        assert _money(total[col]) == getattr(table.total, name), name
    paid = sum((budget_selectors.line_figures(ln).paid for ln in lines.values()), Decimal("0"))
    assert _money(total[12]) == paid > 0

    # formatted as money, not text
    money_cell = ws.cell(row=4, column=7)
    assert money_cell.number_format == "#,##0.00"
    s.shot("04_finance_budget_table_exported")
    s.assert_clean()
