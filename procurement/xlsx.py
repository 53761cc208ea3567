"""Formatted .xlsx exports, written with openpyxl's write-only workbook (rows are streamed to
the file as they are appended, so memory does not grow with the number of rows)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

MONEY_FORMAT = "#,##0.00"
RATE_FORMAT = "0.00%"
DATE_FORMAT = "yyyy-mm-dd"
HEADER_FILL = "DDEBF7"
TOTAL_FILL = "FCE4D6"


class Sheet:
    """A write-only sheet with a title, a subtitle, a styled header row and typed columns
    (text, money, rate, date, int); one styled cell per column is reused for every row."""

    def __init__(self, wb: Workbook, *, name: str, title: str, subtitle: str, columns: Sequence[tuple[str, float, str]]):
        self.ws = ws = wb.create_sheet(name[:31])
        self.kinds = [kind for _h, _w, kind in columns]
        for col, (_h, width, _k) in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(col)].width = width
        ws.freeze_panes = "B4"
        title_cell = WriteOnlyCell(ws, value=title)
        title_cell.font = Font(bold=True, size=14)
        ws.append([title_cell])
        ws.append([subtitle])
        thin = Side(style="thin", color="999999")
        header = []
        for text, _w, _k in columns:
            cell = WriteOnlyCell(ws, value=text)
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = Border(bottom=thin)
            header.append(cell)
        ws.append(header)
        self.plain = self._cells(bold=False, fill=None)
        self.total = self._cells(bold=True, fill=TOTAL_FILL)

    def _cells(self, *, bold: bool, fill: str | None) -> list[WriteOnlyCell]:
        cells = []
        for kind in self.kinds:
            cell = WriteOnlyCell(self.ws)
            if bold:
                cell.font = Font(bold=True)
            if fill:
                cell.fill = PatternFill("solid", fgColor=fill)
            if kind == "money":
                cell.number_format = MONEY_FORMAT
            elif kind == "rate":
                cell.number_format = RATE_FORMAT
            elif kind == "date":
                cell.number_format = DATE_FORMAT
            cells.append(cell)
        return cells

    def append(self, values: Iterable, *, total: bool = False) -> None:
        cells = self.total if total else self.plain
        for cell, value in zip(cells, values):
            cell.value = value
        self.ws.append(cells)


def subtitle(*parts: str, now: dt.datetime | None = None) -> str:
    now = timezone.localtime(now)
    items = [_("Prepared %(date)s") % {"date": now.strftime("%Y-%m-%d %H:%M")}, _("Unit: yuan"), *[p for p in parts if p]]
    return "    ".join(items)


def write_suppliers(fileobj, suppliers, *, year: int) -> int:
    """供应商信息表 with the year's awards."""
    wb = Workbook(write_only=True)
    columns = [
        (_("Supplier"), 32, "text"), (_("Unified social credit code"), 22, "text"), (_("Contact person"), 12, "text"),
        (_("Phone"), 16, "text"), (_("Bank"), 22, "text"), (_("Bank account"), 24, "text"), (_("SME"), 8, "text"),
        (_("Blacklisted"), 10, "text"), (_("Reason for the blacklist"), 28, "text"),
        (_("Awards %(year)s") % {"year": year}, 10, "int"), (_("Amount awarded %(year)s") % {"year": year}, 16, "money"),
        (_("Expired qualifications"), 12, "int"),
    ]
    sheet = Sheet(wb, name=_("Suppliers"), title=_("Suppliers"), subtitle=subtitle(), columns=columns)
    n = 0
    yes, no = _("yes"), _("no")
    for s in suppliers:
        sheet.append([s.name, s.credit_code, s.contact_person, s.phone, s.bank_name, s.bank_account, yes if s.is_sme else no,
                      yes if s.blacklisted else no, s.blacklist_reason, s.year_awards, s.year_amount, s.expired_count])
        n += 1
    wb.save(fileobj)
    return n


def write_supplier_totals(fileobj, rows, *, year: int) -> int:
    """供应商累计成交情况 of a year, with a total row."""
    wb = Workbook(write_only=True)
    columns = [
        (_("Supplier"), 32, "text"), (_("Unified social credit code"), 22, "text"), (_("Awards"), 10, "int"),
        (_("Amount awarded"), 16, "money"), (_("Contracts signed"), 10, "int"), (_("Amount contracted"), 16, "money"),
        (_("Amount paid"), 16, "money"), (_("Blacklisted"), 10, "text"),
    ]
    sheet = Sheet(wb, name=_("Supplier totals"), title=_("Supplier totals %(year)s") % {"year": year}, subtitle=subtitle(),
                  columns=columns)
    n, awards, awarded, contracts, contracted, paid = 0, 0, 0, 0, 0, 0
    yes, no = _("yes"), _("no")
    for s in rows:
        sheet.append([s.name, s.credit_code, s.year_awards, s.year_amount, s.year_contracts, s.year_contracted, s.year_paid,
                      yes if s.blacklisted else no])
        n += 1
        awards += s.year_awards
        awarded += s.year_amount
        contracts += s.year_contracts
        contracted += s.year_contracted
        paid += s.year_paid
    sheet.append([_("Total"), "", awards, awarded, contracts, contracted, paid, ""], total=True)
    wb.save(fileobj)
    return n


def write_supplier_records(fileobj, supplier, *, totals: list[dict], records: dict) -> None:
    """One supplier: cumulative awards by year, then every quote, award, contract and payment
    the person may read, a sheet each."""
    wb = Workbook(write_only=True)
    sub = subtitle(f"{supplier.name} {supplier.credit_code}")
    sheet = Sheet(wb, name=_("By year"), title=_("Cumulative awards by year"), subtitle=sub, columns=[
        (_("Year"), 8, "int"), (_("Awards"), 10, "int"), (_("Amount awarded"), 16, "money"), (_("Contracts signed"), 10, "int"),
        (_("Amount contracted"), 16, "money"), (_("Amount paid"), 16, "money"),
    ])
    for t in totals:
        sheet.append([t["year"], t["awards"], t["awarded"], t["contracts"], t["contracted"], t["paid"]])
    sheet = Sheet(wb, name=_("Quotes"), title=_("Quotes"), subtitle=sub, columns=[
        (_("Quote date"), 11, "date"), (_("Number"), 20, "text"), (_("Title"), 30, "text"), (_("Unit"), 18, "text"),
        (_("Quoted price"), 15, "money"),
    ])
    for q in records["quotes"]:
        sheet.append([q.quoted_on, q.purchase.case.number, q.purchase.case.title, q.purchase.unit.name, q.amount])
    sheet = Sheet(wb, name=_("Awards"), title=_("Awards"), subtitle=sub, columns=[
        (_("Award date"), 11, "date"), (_("Number"), 20, "text"), (_("Title"), 30, "text"), (_("Unit"), 18, "text"),
        (_("Award amount"), 15, "money"), (_("Status"), 10, "text"),
    ])
    for a in records["awards"]:
        sheet.append([a.awarded_on, a.purchase.case.number, a.purchase.case.title, a.purchase.unit.name, a.amount,
                      str(a.get_status_display())])
    sheet = Sheet(wb, name=_("Contracts"), title=_("Contracts"), subtitle=sub, columns=[
        (_("Signed"), 11, "date"), (_("Contract number"), 16, "text"), (_("Title"), 30, "text"), (_("Unit"), 18, "text"),
        (_("Contract amount"), 15, "money"), (_("Status"), 12, "text"),
    ])
    for c in records["contracts"]:
        sheet.append([c.signed_on, c.number, c.title, c.unit.name, c.amount, str(c.get_status_display())])
    sheet = Sheet(wb, name=_("Payments"), title=_("Payments"), subtitle=sub, columns=[
        (_("Paid on"), 11, "date"), (_("Number"), 20, "text"), (_("Contract number"), 16, "text"), (_("Amount"), 15, "money"),
        (_("Invoice number"), 14, "text"), (_("Status"), 12, "text"),
    ])
    for p in records["payments"]:
        sheet.append([p.paid_on, p.case.number, p.contract.number, p.amount, p.invoice_number, str(p.get_status_display())])
    wb.save(fileobj)
