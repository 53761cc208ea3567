"""The styled spreadsheet of every report (the kernel's one set of .xlsx helpers).

Each export builds its sheets through ``Sheet`` on a write-only workbook (``workbook()``), so
rows are streamed to the file as they are appended and memory does not grow with the row
count. Every sheet is ready to print the way an office prints a table:

* row 1: the office's name and the report's name, merged across the columns;
* row 2: the subtitle (when it was prepared, by whom, the unit of money, the filters), merged;
* row 3: the header, bold, filled, with borders; repeated on every printed page;
* the data rows with thin borders, money as ``#,##0.00``; panes frozen under the header;
  an autofilter over the header and the data;
* a totals row (``Sheet.totals``) written as ``SUM`` formulas over exactly the data rows;
* landscape, fitted to the page width (as many pages high as needed), the page number
  centred in the footer.

The office's name is the setting ``OFFICE_NAME`` (environment variable of the same name).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

MONEY_FORMAT = "#,##0.00"
RATE_FORMAT = "0.00%"
DATE_FORMAT = "yyyy-mm-dd"
HEADER_FILL = "DDEBF7"
TOTAL_FILL = "FCE4D6"
# row styles a report may use besides the plain data row (subtotals of a grouped table)
FILLS = {"plain": None, "group": "F2F2F2", "group2": "E2EFDA", "total": TOTAL_FILL}
TITLE_ROW, SUBTITLE_ROW, HEADER_ROW = 1, 2, 3
FIRST_DATA_ROW = HEADER_ROW + 1
SUM_ARGS = 255  # the most arguments Excel's SUM takes

THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
NUMERIC = (int, float, Decimal)


def office_name() -> str:
    return str(getattr(settings, "OFFICE_NAME", "") or "")


def report_title(title: str) -> str:
    """The heading of a report: the office's name and the report's."""
    office = office_name()
    return _("%(office)s %(report)s") % {"office": office, "report": title} if office else title


def subtitle(*parts: str, user=None, now: dt.datetime | None = None) -> str:
    """When, by whom, in what unit, then the report's own parts (filters) that are not empty."""
    now = timezone.localtime(now)
    items = [_("Prepared %(date)s") % {"date": now.strftime("%Y-%m-%d %H:%M")}]
    if user is not None:
        items.append(_("Prepared by %(name)s") % {"name": user.get_full_name() or user.get_username()})
    items.append(_("Unit: yuan"))
    items += [p for p in parts if p]
    return "    ".join(items)


def workbook() -> Workbook:
    return Workbook(write_only=True)


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    kind: str = "text"  # text, money, rate, date, int (not summed), count (summed)
    total: bool | None = None  # summed in the totals row; default: money and count columns

    @property
    def summed(self) -> bool:
        return self.kind in ("money", "count") if self.total is None else self.total


def _column(spec) -> Column:
    return spec if isinstance(spec, Column) else Column(*spec)


def _cells_to_row(cells, row_idx):
    """Stand-in for ``WriteOnlyWorksheet._values_to_row`` once the header is written: every
    row we append is a list of our own prepared cells. openpyxl's own version first tries
    to store each Cell as a value and builds an exception (with the cell's repr) for every
    styled cell; this skips that and nothing else (the cells are written as they are)."""
    for col_idx, cell in enumerate(cells, 1):
        cell.column = col_idx
        cell.row = row_idx
        yield cell


def sum_formula(letter: str, rows: Sequence[int]) -> str:
    """``=SUM(...)`` of column ``letter`` over ``rows`` (ascending row numbers): consecutive
    rows become one range; more than 255 arguments are nested."""
    if not rows:
        return "=0"
    args, start, prev = [], rows[0], rows[0]
    for row in list(rows[1:]) + [None]:
        if row is not None and row == prev + 1:
            prev = row
            continue
        args.append(f"{letter}{start}" if start == prev else f"{letter}{start}:{letter}{prev}")
        if row is not None:
            start = prev = row
    while len(args) > SUM_ARGS:
        args = [f"SUM({','.join(args[i:i + SUM_ARGS])})" for i in range(0, len(args), SUM_ARGS)]
    return f"=SUM({','.join(args)})"


class Sheet:
    """A write-only sheet laid out and styled for printing (see the module's docstring).

    ``columns`` are ``Column`` or ``(header, width, kind)`` tuples. ``append`` writes a row
    and returns its number; ``totals`` writes the totals row; ``finish`` (called by
    ``totals``, or by ``save``) sets the autofilter over what was written."""

    def __init__(self, wb: Workbook, *, name: str, title: str, subtitle: str, columns: Iterable,
                 freeze: str = "B4"):
        self.ws = ws = wb.create_sheet(name[:31])
        wb.__dict__.setdefault("_report_sheets", []).append(self)
        self.columns = [_column(c) for c in columns]
        self.letters = [get_column_letter(i) for i in range(1, len(self.columns) + 1)]
        last = self.letters[-1]
        for letter, col in zip(self.letters, self.columns):
            ws.column_dimensions[letter].width = col.width
        ws.freeze_panes = freeze
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_options.horizontalCentered = True
        ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        ws.oddFooter.center.text = _("Page &P of &N")
        ws.evenFooter.center.text = ws.oddFooter.center.text

        title_cell = WriteOnlyCell(ws, value=report_title(title))
        title_cell.font = Font(bold=True, size=14)
        title_cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.row_dimensions[TITLE_ROW].height = 24
        ws.append([title_cell])
        sub_cell = WriteOnlyCell(ws, value=subtitle)
        sub_cell.alignment = Alignment(horizontal="left", vertical="center")
        ws.append([sub_cell])
        ws.merged_cells.add(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
        ws.merged_cells.add(f"A{SUBTITLE_ROW}:{last}{SUBTITLE_ROW}")
        header = []
        for col in self.columns:
            cell = WriteOnlyCell(ws, value=col.header)
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = BORDER
            header.append(cell)
        ws.append(header)
        ws._values_to_row = _cells_to_row
        self._styles: dict[str, list[WriteOnlyCell]] = {}
        self.row = HEADER_ROW  # the last row written
        self.data_rows: list[int] = []  # rows written as plain data (what the totals add up)
        self.finished = False

    def _cells(self, style: str) -> list[WriteOnlyCell]:
        """One set of styled cells per row style, reused for every row of that style (openpyxl
        writes an appended row at once)."""
        cells = self._styles.get(style)
        if cells is None:
            fill = FILLS[style]
            cells = []
            for col in self.columns:
                cell = WriteOnlyCell(self.ws)
                cell.border = BORDER
                if style != "plain":
                    cell.font = Font(bold=True)
                if fill:
                    cell.fill = PatternFill("solid", fgColor=fill)
                if col.kind == "money":
                    cell.number_format = MONEY_FORMAT
                elif col.kind == "rate":
                    cell.number_format = RATE_FORMAT
                elif col.kind == "date":
                    cell.number_format = DATE_FORMAT
                cells.append(cell)
            self._styles[style] = cells
        return cells

    def append(self, values: Iterable, *, style: str = "plain") -> int:
        """Write one row (``style`` "plain" is a data row; "group", "group2", "total" are
        subtotal rows, bold and filled). Returns its row number."""
        cells = self._cells(style)
        for cell, value in zip(cells, values):
            if type(value) in NUMERIC:  # a number, stored as is (the fast path of large tables)
                cell._value = value
                cell.data_type = "n"
            else:
                cell.value = value  # through openpyxl's checks (illegal characters, length, dates)
        self.ws.append(cells)
        self.row += 1
        if style == "plain":
            self.data_rows.append(self.row)
        return self.row

    def sum_of(self, index: int, rows: Sequence[int]) -> str:
        """The ``SUM`` formula of the column at ``index`` (0-based) over ``rows``."""
        return sum_formula(self.letters[index], rows)

    def data_range(self, index: int) -> str:
        """``H4:H20``: the column's cells from the first data row to the last row written."""
        letter = self.letters[index]
        return f"{letter}{FIRST_DATA_ROW}:{letter}{max(self.row, FIRST_DATA_ROW)}"

    def totals(self, label: str, values: dict[int, object] | None = None) -> int:
        """The totals row: ``label`` in the first column, ``SUM`` over every data row in each
        summed column, ``values`` (index → value) for the others (a rate, a count)."""
        values = values or {}
        row = []
        for i, col in enumerate(self.columns):
            if i == 0:
                row.append(label)
            elif i in values:
                row.append(values[i])
            elif col.summed:
                row.append(self.sum_of(i, self.data_rows) if self.data_rows else 0)
            else:
                row.append(None)
        self.finish()
        return self.append(row, style="total")

    def finish(self) -> None:
        """The autofilter over the header and every row written so far (not the totals)."""
        if not self.finished:
            self.finished = True
            self.ws.auto_filter.ref = f"A{HEADER_ROW}:{self.letters[-1]}{max(self.row, HEADER_ROW)}"


def save(wb: Workbook, fileobj) -> None:
    """Finish the workbook's sheets (their autofilter) and write it."""
    for sheet in wb.__dict__.get("_report_sheets", []):
        sheet.finish()
    wb.save(fileobj)
