"""core.xlsx, the one styled-spreadsheet kernel: formulas of totals and the print layout."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core import xlsx
from tests.xlsx_checks import _split_args, assert_print_ready, sum_rows, value


def test_sum_formula_joins_consecutive_rows_and_nests_past_255_arguments():
    assert xlsx.sum_formula("H", [4, 5, 6, 9, 11, 12]) == "=SUM(H4:H6,H9,H11:H12)"
    assert xlsx.sum_formula("H", []) == "=0"
    rows = list(range(4, 4 + 2 * 600, 2))  # 600 separate cells
    formula = xlsx.sum_formula("C", rows)
    assert formula.startswith("=SUM(SUM(") and sum_rows(formula) == set(rows)
    # no SUM has more than 255 arguments: 600 cells are three nested SUMs of 255, 255 and 90
    parts = _split_args(formula[len("=SUM("):-1])
    assert [len(_split_args(p[len("SUM("):-1])) for p in parts] == [255, 255, 90]


@pytest.mark.django_db
def test_a_sheet_is_laid_out_for_printing_with_formula_totals(settings, django_user_model):
    settings.OFFICE_NAME = "测试街道办事处"
    user = django_user_model.objects.create(username="u1", full_name="王小明")
    wb = xlsx.workbook()
    sheet = xlsx.Sheet(wb, name="表", title="测试表", subtitle=xlsx.subtitle("筛选：全部", user=user), columns=[
        ("名称", 20, "text"), ("金额", 14, "money"), ("笔数", 8, "count"), ("年度", 8, "int"), ("比例", 8, "rate"),
    ])
    for i in range(3):
        sheet.append([f"第{i}行", Decimal("1234.50") * (i + 1), 2, 2026, 0.5])
    sheet.totals("合计", {4: 0.5})
    buf = io.BytesIO()
    xlsx.save(wb, buf)
    ws = load_workbook(io.BytesIO(buf.getvalue())).worksheets[0]
    first, last, totals_row = assert_print_ready(ws, title="测试表", money_col=2)
    assert ws["A1"].value.startswith("测试街道办事处") and "王小明" in ws["A2"].value and "筛选：全部" in ws["A2"].value
    assert (first, last, totals_row) == (4, 6, 7)
    assert ws.auto_filter.ref == "A3:E6"
    assert ws["B7"].value == "=SUM(B4:B6)" and ws["C7"].value == "=SUM(C4:C6)"
    assert ws["D7"].value is None and ws["E7"].value == 0.5  # a year is not added up; a rate is given
    assert value(ws, ws["B7"]) == Decimal("7407.00") and ws["B7"].number_format == "#,##0.00" and ws["B7"].font.b
    assert ws["B5"].border.left.style == "thin" and ws["E5"].number_format == "0.00%"


@pytest.mark.django_db
def test_an_empty_sheet_still_prints_its_header_and_a_zero_total():
    wb = xlsx.workbook()
    sheet = xlsx.Sheet(wb, name="空", title="空表", subtitle=xlsx.subtitle(), columns=[("名称", 20, "text"),
                                                                                      ("金额", 14, "money")])
    sheet.totals("合计")
    buf = io.BytesIO()
    xlsx.save(wb, buf)
    ws = load_workbook(io.BytesIO(buf.getvalue())).worksheets[0]
    assert ws.auto_filter.ref == "A3:B3" and ws["B4"].value == 0 and ws["A4"].value == "合计"
