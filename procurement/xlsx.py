"""The suppliers' .xlsx exports, through ``core.xlsx`` (streamed, styled for printing, totals
as formulas)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.xlsx import Sheet, save, subtitle, workbook


def write_suppliers(fileobj, suppliers, *, year: int, user=None) -> int:
    """供应商信息表 with the year's awards."""
    wb = workbook()
    columns = [
        (_("Supplier"), 32, "text"), (_("Unified social credit code"), 22, "text"), (_("Contact person"), 12, "text"),
        (_("Phone"), 16, "text"), (_("Bank"), 22, "text"), (_("Bank account"), 24, "text"), (_("SME"), 8, "text"),
        (_("Blacklisted"), 10, "text"), (_("Reason for the blacklist"), 28, "text"),
        (_("Awards %(year)s") % {"year": year}, 10, "count"), (_("Amount awarded %(year)s") % {"year": year}, 16, "money"),
        (_("Expired qualifications"), 12, "count"),
    ]
    sheet = Sheet(wb, name=_("Suppliers"), title=_("Suppliers"), subtitle=subtitle(user=user), columns=columns)
    n = 0
    yes, no = _("yes"), _("no")
    for s in suppliers:
        sheet.append([s.name, s.credit_code, s.contact_person, s.phone, s.bank_name, s.bank_account, yes if s.is_sme else no,
                      yes if s.blacklisted else no, s.blacklist_reason, s.year_awards, s.year_amount, s.expired_count])
        n += 1
    sheet.totals(_("Total (%(n)d suppliers)") % {"n": n})
    save(wb, fileobj)
    return n


def write_supplier_totals(fileobj, rows, *, year: int, user=None) -> int:
    """供应商累计成交情况 of a year, with a total row."""
    wb = workbook()
    columns = [
        (_("Supplier"), 32, "text"), (_("Unified social credit code"), 22, "text"), (_("Awards"), 10, "count"),
        (_("Amount awarded"), 16, "money"), (_("Contracts signed"), 10, "count"), (_("Amount contracted"), 16, "money"),
        (_("Amount paid"), 16, "money"), (_("Blacklisted"), 10, "text"),
    ]
    sheet = Sheet(wb, name=_("Supplier totals"), title=_("Supplier totals %(year)s") % {"year": year}, subtitle=subtitle(user=user),
                  columns=columns)
    n = 0
    yes, no = _("yes"), _("no")
    for s in rows:
        sheet.append([s.name, s.credit_code, s.year_awards, s.year_amount, s.year_contracts, s.year_contracted, s.year_paid,
                      yes if s.blacklisted else no])
        n += 1
    sheet.totals(_("Total"))
    save(wb, fileobj)
    return n


def write_supplier_records(fileobj, supplier, *, totals: list[dict], records: dict, user=None) -> None:
    """One supplier: cumulative awards by year, then every quote, award, contract and payment
    the person may read, a sheet each."""
    wb = workbook()
    sub = subtitle(f"{supplier.name} {supplier.credit_code}", user=user)
    sheet = Sheet(wb, name=_("By year"), title=_("Cumulative awards by year"), subtitle=sub, columns=[
        (_("Year"), 8, "int"), (_("Awards"), 10, "count"), (_("Amount awarded"), 16, "money"), (_("Contracts signed"), 10, "count"),
        (_("Amount contracted"), 16, "money"), (_("Amount paid"), 16, "money"),
    ])
    for t in totals:
        sheet.append([t["year"], t["awards"], t["awarded"], t["contracts"], t["contracted"], t["paid"]])
    sheet.totals(_("Total"))
    sheet = Sheet(wb, name=_("Quotes"), title=_("Quotes"), subtitle=sub, columns=[
        (_("Quote date"), 11, "date"), (_("Number"), 20, "text"), (_("Title"), 30, "text"), (_("Unit"), 18, "text"),
        (_("Quoted price"), 15, "money"),
    ])
    for q in records["quotes"]:
        sheet.append([q.quoted_on, q.purchase.case.number, q.purchase.case.title, q.purchase.unit.name, q.amount])
    sheet.totals(_("Total"))
    sheet = Sheet(wb, name=_("Awards"), title=_("Awards"), subtitle=sub, columns=[
        (_("Award date"), 11, "date"), (_("Number"), 20, "text"), (_("Title"), 30, "text"), (_("Unit"), 18, "text"),
        (_("Award amount"), 15, "money"), (_("Status"), 10, "text"),
    ])
    for a in records["awards"]:
        sheet.append([a.awarded_on, a.purchase.case.number, a.purchase.case.title, a.purchase.unit.name, a.amount,
                      str(a.get_status_display())])
    sheet.totals(_("Total"))
    sheet = Sheet(wb, name=_("Contracts"), title=_("Contracts"), subtitle=sub, columns=[
        (_("Signed"), 11, "date"), (_("Contract number"), 16, "text"), (_("Title"), 30, "text"), (_("Unit"), 18, "text"),
        (_("Contract amount"), 15, "money"), (_("Status"), 12, "text"),
    ])
    for c in records["contracts"]:
        sheet.append([c.signed_on, c.number, c.title, c.unit.name, c.amount, str(c.get_status_display())])
    sheet.totals(_("Total"))
    sheet = Sheet(wb, name=_("Payments"), title=_("Payments"), subtitle=sub, columns=[
        (_("Paid on"), 11, "date"), (_("Number"), 20, "text"), (_("Contract number"), 16, "text"), (_("Amount"), 15, "money"),
        (_("Invoice number"), 14, "text"), (_("Status"), 12, "text"),
    ])
    for p in records["payments"]:
        sheet.append([p.paid_on, p.case.number, p.contract.number, p.amount, p.invoice_number, str(p.get_status_display())])
    sheet.totals(_("Total"))
    save(wb, fileobj)
