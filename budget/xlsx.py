"""The budget app's spreadsheets: the import template, reading an import, and writing the
execution table (through ``core.xlsx``: streamed, styled for printing, subtotals as formulas)."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from core.money import AmountError, parse_amount
from core.xlsx import HEADER_FILL, Column, Sheet, save, subtitle, workbook
from org.models import Unit

from .models import BudgetLine, ControlMode, FundSource, economic_code_validator, functional_code_validator
from .selectors import Figures, TableRow

MAX_IMPORT_ROWS = 10_000


# --- import ----------------------------------------------------------------------------------
def import_columns() -> list[tuple[str, str]]:
    """(field, header) in template order."""
    return [
        ("unit_code", _("Unit code")),
        ("project", _("Project name")),
        ("functional_code", _("Functional class code")),
        ("functional_name", _("Functional class name")),
        ("economic_code", _("Economic class code")),
        ("economic_name", _("Economic class name")),
        ("fund_source", _("Fund source")),
        ("amount", _("Annual budget (yuan)")),
        ("control_mode", _("Control")),
        ("note", _("Note")),
    ]


def _choice_lookup(choices) -> dict[str, str]:
    """Accept a choice's code or its label (in the active language)."""
    lookup = {}
    for value, label in choices:
        lookup[str(value).lower()] = value
        lookup[str(label).strip().lower()] = value
    return lookup


def build_template(fileobj, *, year: int) -> None:
    """The import template: the data sheet with its header and drop-downs, and a sheet of
    instructions with the valid unit codes."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Budget lines")
    columns = import_columns()
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    for col, (_field, header) in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=col, value=header)
        cell.font = bold
        cell.fill = fill
    widths = [12, 28, 14, 18, 14, 18, 12, 18, 12, 24]
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    fund = DataValidation(type="list", formula1='"%s"' % ",".join(str(label) for _v, label in FundSource.choices), allow_blank=True)
    mode = DataValidation(type="list", formula1='"%s"' % ",".join(str(label) for _v, label in ControlMode.choices), allow_blank=True)
    ws.add_data_validation(fund)
    ws.add_data_validation(mode)
    fund.add(f"G2:G{MAX_IMPORT_ROWS + 1}")
    mode.add(f"I2:I{MAX_IMPORT_ROWS + 1}")

    help_ws = wb.create_sheet(_("Instructions"))
    help_ws.column_dimensions["A"].width = 22
    help_ws.column_dimensions["B"].width = 80
    help_ws.append([_("Budget lines of %(year)s: import template") % {"year": year}])
    help_ws["A1"].font = Font(bold=True, size=14)
    help_ws.append([])
    notes = [
        (_("Unit code"), _("The code of an existing unit (list below).")),
        (_("Project name"), _("The project name, up to 100 characters.")),
        (_("Functional class code"), _("7 digits (class, section, item), e.g. 2010301.")),
        (_("Economic class code"), _("5 digits (class, section), e.g. 30201.")),
        (_("Fund source"), " / ".join(str(label) for _v, label in FundSource.choices)),
        (_("Annual budget (yuan)"), _("A number of at least 0 with at most 2 decimal places.")),
        (_("Control"), _("%(choices)s; empty means hard stop.") % {"choices": " / ".join(str(label) for _v, label in ControlMode.choices)}),
        (_("Rules"), _("One row per line; a unit cannot have two lines with the same project, classifications and fund source. "
                      "If any row is wrong the whole file is refused and nothing is saved.")),
    ]
    for name, text in notes:
        help_ws.append([name, text])
    help_ws.append([])
    help_ws.append([_("Unit code"), _("Unit")])
    for cell in help_ws[help_ws.max_row]:
        cell.font = bold
    for code, name in Unit.objects.filter(is_active=True).order_by("sort_order", "code").values_list("code", "name"):
        help_ws.append([code, name])
    wb.save(fileobj)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _amount(value) -> tuple[Decimal | None, str]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, _("the annual budget is empty")
    if isinstance(value, bool):
        return None, _("the annual budget is not a number")
    try:
        return parse_amount(Decimal(repr(value)) if isinstance(value, float) else value, allow_zero=True), ""
    except AmountError as e:
        return None, {
            "negative": _("the annual budget cannot be negative"),
            "decimals": _("the annual budget can have at most 2 decimal places"),
            "too_large": _("the annual budget is too large"),
        }.get(e.code) or _("the annual budget “%(value)s” is not a number") % {"value": value}


def parse_import(fileobj, *, year: int) -> tuple[list[dict], list[tuple[int | None, str]]]:
    """Read and check every row. Returns (rows ready for BudgetLine(**row), errors); errors
    are (Excel row number or None for the file, reason). Nothing is written here."""
    try:
        wb = load_workbook(fileobj, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        return [], [(None, _("The file is not a valid .xlsx workbook; use the template."))]
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        columns = import_columns()
        header = next(rows, None)
        expected = [h for _f, h in columns]
        got = [_text(v) for v in (header or ())][: len(expected)]
        if got != expected:
            return [], [(1, _("The header row does not match the template: expected %(expected)s.") % {"expected": "、".join(expected)})]
        units = {u.code.lower(): u for u in Unit.objects.all()}
        funds = _choice_lookup(FundSource.choices)
        modes = _choice_lookup(ControlMode.choices)
        existing = set(
            BudgetLine.objects.filter(year=year).values_list(
                "unit__code", "project", "functional_code", "economic_code", "fund_source"
            )
        )
        existing = {(k[0].lower(), *k[1:]) for k in existing}
        seen: dict[tuple, int] = {}
        parsed: list[dict] = []
        errors: list[tuple[int | None, str]] = []
        data_rows = 0
        for number, values in enumerate(rows, start=2):
            values = list(values or ())[: len(columns)]
            values += [None] * (len(columns) - len(values))
            if all(_text(v) == "" for v in values):
                continue
            data_rows += 1
            if data_rows > MAX_IMPORT_ROWS:
                return [], [(None, _("The file has more than %(n)s lines; split it.") % {"n": MAX_IMPORT_ROWS})]
            raw = dict(zip([f for f, _h in columns], values))
            problems: list[str] = []
            unit_code = _text(raw["unit_code"])
            unit = units.get(unit_code.lower())
            if not unit_code:
                problems.append(_("the unit code is empty"))
            elif unit is None:
                problems.append(_("unit code “%(code)s” does not exist") % {"code": unit_code})
            elif not unit.is_active:
                problems.append(_("unit “%(unit)s” is no longer active") % {"unit": unit.name})
            project = _text(raw["project"])
            if not project:
                problems.append(_("the project is empty"))
            elif len(project) > 100:
                problems.append(_("the project is longer than 100 characters"))
            fcode, ecode = _text(raw["functional_code"]), _text(raw["economic_code"])
            if not functional_code_validator.regex.match(fcode):
                problems.append(_("functional class code “%(code)s” must have 7 digits") % {"code": fcode})
            if not economic_code_validator.regex.match(ecode):
                problems.append(_("economic class code “%(code)s” must have 5 digits") % {"code": ecode})
            fname, ename = _text(raw["functional_name"]), _text(raw["economic_name"])
            if not fname:
                problems.append(_("the functional class name is empty"))
            elif len(fname) > 60:
                problems.append(_("the functional class name is longer than 60 characters"))
            if not ename:
                problems.append(_("the economic class name is empty"))
            elif len(ename) > 60:
                problems.append(_("the economic class name is longer than 60 characters"))
            fund_text = _text(raw["fund_source"])
            fund = funds.get(fund_text.lower()) if fund_text else None
            if fund is None:
                problems.append(_("fund source “%(value)s” is not one of %(choices)s")
                                % {"value": fund_text, "choices": "、".join(str(lb) for _v, lb in FundSource.choices)})
            amount, amount_problem = _amount(raw["amount"])
            if amount_problem:
                problems.append(amount_problem)
            mode_text = _text(raw["control_mode"])
            mode = modes.get(mode_text.lower()) if mode_text else ControlMode.HARD
            if mode is None:
                problems.append(_("control “%(value)s” is not one of %(choices)s")
                                % {"value": mode_text, "choices": "、".join(str(lb) for _v, lb in ControlMode.choices)})
            note = _text(raw["note"])
            if len(note) > 200:
                problems.append(_("the note is longer than 200 characters"))
            if unit is not None and project and fund:
                key = (unit.code.lower(), project, fcode, ecode, fund)
                if key in seen:
                    problems.append(_("the same line is already in row %(row)s") % {"row": seen[key]})
                else:
                    seen[key] = number
                if key in existing:
                    problems.append(_("this line already exists for %(year)s (change it through an adjustment)") % {"year": year})
            if problems:
                errors.append((number, "；".join(problems)))
                continue
            parsed.append({
                "unit": unit, "project": project, "functional_code": fcode, "functional_name": fname,
                "economic_code": ecode, "economic_name": ename, "fund_source": fund, "amount": amount,
                "control_mode": mode, "note": note,
            })
        if not data_rows:
            return [], [(None, _("The file has no budget lines."))]
        return parsed, errors
    finally:
        wb.close()


# --- export ----------------------------------------------------------------------------------
def export_columns() -> list[Column]:
    return [
        Column(_("Unit"), 20), Column(_("Project"), 26), Column(_("Functional class"), 22), Column(_("Economic class"), 20),
        Column(_("Fund source"), 10), Column(_("Control"), 9),
        Column(_("Annual budget"), 15, "money"), Column(_("Adjustments"), 14, "money"),
        Column(_("Adjusted budget"), 15, "money"), Column(_("In approval"), 14, "money"),
        Column(_("Arranged"), 14, "money"), Column(_("Contracted"), 14, "money"), Column(_("Paid"), 15, "money"),
        Column(_("Balance"), 15, "money"), Column(_("Execution rate"), 10, "rate"),
    ]


FIGURE_ORDER = ("amount", "adjustments", "adjusted", "in_approval", "arranged", "contracted", "paid", "available")
FIRST_FIGURE, RATE_COLUMN = 6, 14


def _rate(fig: Figures):
    rate = fig.execution_rate
    return rate / 100 if rate is not None else None


def _line_values(texts: list, fig: Figures) -> list:
    return [*texts, fig.amount, fig.adjustments, fig.adjusted, fig.in_approval, fig.arranged, fig.contracted, fig.paid,
            fig.available, _rate(fig)]


def _sum_values(sheet: Sheet, texts: list, rows: list[int], fig: Figures) -> list:
    """A subtotal row: each figure a SUM over ``rows``, the rate from the figures."""
    sums = [sheet.sum_of(i, rows) for i in range(FIRST_FIGURE, RATE_COLUMN)]
    return [*texts, *sums, _rate(fig)]


def write_execution_xlsx(fileobj, rows: Iterable[TableRow], *, title: str, subtitle: str,
                         progress: Callable[[int], None] | None = None, progress_every: int = 1000) -> int:
    """Write the execution table, streamed. ``rows`` comes from ``selectors.iter_table_rows``
    (lines, project and unit subtotals, then the grand total). Each subtotal is a SUM formula:
    a project's over its lines, a unit's over its projects' subtotals, the grand total over
    the units' totals, so every line is counted once. Returns the number of lines."""
    wb = workbook()
    sheet = Sheet(wb, name=_("Budget execution"), title=title, subtitle=subtitle, columns=export_columns(), freeze="C4")
    fund_labels = {k: str(v) for k, v in FundSource.choices}
    mode_labels = {k: str(v) for k, v in ControlMode.choices}
    subtotal_project = _("Subtotal: %(name)s")
    subtotal_unit = _("Total of %(name)s")
    grand_total = _("Grand total")
    lines = 0
    line_rows: list[int] = []  # the current project's lines
    project_rows: list[int] = []  # the current unit's project subtotals
    unit_rows: list[int] = []
    for row in rows:
        if row.kind == "line":
            line = row.line
            line_rows.append(sheet.append(_line_values(
                [line.unit.name, line.project, f"{line.functional_code} {line.functional_name}",
                 f"{line.economic_code} {line.economic_name}", fund_labels[line.fund_source],
                 mode_labels[line.control_mode]],
                row.figures,
            )))
            lines += 1
            if progress and lines % progress_every == 0:
                progress(lines)
        elif row.kind == "project":
            project_rows.append(sheet.append(_sum_values(
                sheet, ["", subtotal_project % {"name": row.label}, "", "", "", ""], line_rows, row.figures), style="group"))
            line_rows = []
        elif row.kind == "unit":
            # without project subtotals (with_projects=False) the unit adds up its lines
            parts = project_rows or line_rows
            unit_rows.append(sheet.append(_sum_values(
                sheet, [subtotal_unit % {"name": row.label}, "", "", "", "", ""], parts, row.figures), style="group2"))
            line_rows, project_rows = [], []
        else:
            sheet.finish()
            sheet.append(_sum_values(sheet, [grand_total, "", "", "", "", ""], unit_rows, row.figures), style="total")
    save(wb, fileobj)
    if progress:
        progress(lines)
    return lines


def export_title(year: int) -> str:
    return _("Budget execution table %(year)s") % {"year": year}


def export_subtitle(*, time_progress, filters: str = "", user=None, now: dt.datetime | None = None) -> str:
    return subtitle(_("Time progress %(pct)s%%") % {"pct": time_progress}, filters, user=user, now=now)
