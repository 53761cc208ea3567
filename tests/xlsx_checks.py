"""Reading back what core.xlsx wrote: the print layout every export must have, and the value
of a totals formula (openpyxl stores formulas, it does not compute them), so a test compares
a totals row with SQL sums as it would compare a number."""

from __future__ import annotations

import re
from decimal import Decimal

from django.conf import settings
from openpyxl.utils import column_index_from_string

RANGE = re.compile(r"^([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?$")


def value(ws, cell):
    """The value of a cell, a ``=SUM(...)`` formula (ranges, cells, nested SUMs) computed."""
    v = cell.value if hasattr(cell, "value") else cell
    if not (isinstance(v, str) and v.startswith("=")):
        return v
    return _eval(ws, v[1:])


def _split_args(text: str) -> list[str]:
    args, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(text[start:i])
            start = i + 1
    args.append(text[start:])
    return [a for a in args if a]


def _eval(ws, expr: str):
    expr = expr.strip()
    if expr.startswith("SUM(") and expr.endswith(")"):
        total = Decimal("0")
        for arg in _split_args(expr[4:-1]):
            if arg.startswith("SUM("):
                total += Decimal(str(_eval(ws, arg)))
                continue
            m = RANGE.match(arg)
            assert m, arg
            c1, r1, c2, r2 = m.group(1), int(m.group(2)), m.group(3) or m.group(1), int(m.group(4) or m.group(2))
            for row in range(r1, r2 + 1):
                for col in range(column_index_from_string(c1), column_index_from_string(c2) + 1):
                    v = value(ws, ws.cell(row=row, column=col))
                    total += Decimal(str(v or 0))
        return total
    try:
        return Decimal(expr)
    except Exception:  # noqa: BLE001 - the helper reads only what core.xlsx writes
        raise AssertionError(f"formula not understood: {expr}") from None


def sum_rows(formula: str) -> set[int]:
    """The rows a ``=SUM(...)`` formula adds up."""
    rows: set[int] = set()
    for m in re.finditer(r"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?", formula[1:].replace("SUM", "")):
        rows.update(range(int(m.group(2)), int(m.group(4) or m.group(2)) + 1))
    return rows


def assert_print_ready(ws, *, title: str, money_col: int | None = None, header_row: int = 3):
    """The layout core.xlsx promises: merged title with the office's name, styled header
    with borders, landscape fitted to width, header repeated, autofilter, page numbers.
    Returns (first data row, last data row, totals row)."""
    assert settings.OFFICE_NAME and ws["A1"].value.startswith(settings.OFFICE_NAME) and ws["A1"].value.endswith(title)
    assert ws["A1"].font.b
    last_col = ws.max_column
    merged = {str(r) for r in ws.merged_cells.ranges}
    from openpyxl.utils import get_column_letter

    last = get_column_letter(last_col)
    assert f"A1:{last}1" in merged and f"A2:{last}2" in merged
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == f"${header_row}:${header_row}"
    assert "&P" in ws.oddFooter.center.text
    assert ws.freeze_panes and ws.freeze_panes.endswith(str(header_row + 1))
    header = ws.cell(row=header_row, column=1)
    assert header.font.b and header.border.bottom.style == "thin" and header.border.left.style == "thin"
    ref = ws.auto_filter.ref
    m = re.match(r"^A(\d+):([A-Z]+)(\d+)$", ref)
    assert m and int(m.group(1)) == header_row and m.group(2) == last, ref
    last_data = int(m.group(3))
    first = header_row + 1
    if last_data >= first:
        cell = ws.cell(row=first, column=1)
        assert cell.border.top.style == "thin" and cell.border.bottom.style == "thin"
        if money_col is not None:
            assert ws.cell(row=first, column=money_col).number_format == "#,##0.00"
    totals_row = last_data + 1 if ws.max_row > last_data else None
    return first, last_data, totals_row
