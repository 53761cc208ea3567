"""合同执行情况表 as a formatted .xlsx, streamed: contracts are read from a server-side
cursor in chunks (terms prefetched per chunk) and written through ``core.xlsx``."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from core.xlsx import Sheet, save, subtitle, workbook
from org.models import Unit
from procurement.models import Supplier

from . import selectors

CHUNK = 500


def columns():
    return [
        (_("Contract number"), 16, "text"), (_("Title"), 30, "text"), (_("Unit"), 18, "text"), (_("Supplier"), 28, "text"),
        (_("Signed"), 11, "date"), (_("Term until"), 11, "date"), (_("Status"), 12, "text"),
        (_("Original amount"), 15, "money"), (_("Supplements"), 13, "money"), (_("Contract amount"), 15, "money"),
        (_("Paid"), 15, "money"), (_("Unpaid"), 15, "money"), (_("Percent paid"), 9, "rate"),
        (_("Next milestone"), 16, "text"), (_("Due"), 11, "date"), (_("Accepted on"), 11, "date"),
        (_("Retention held"), 13, "money"), (_("Retention release"), 11, "date"),
    ]


def _filters_text(f: dict) -> str:
    parts = []
    if f.get("year"):
        parts.append(_("Year signed: %(year)s") % {"year": f["year"]})
    if f.get("unit_id"):
        parts.append(_("Unit: %(unit)s") % {"unit": Unit.objects.filter(pk=f["unit_id"]).values_list("name", flat=True).first()})
    if f.get("supplier_id"):
        parts.append(_("Supplier: %(supplier)s") % {
            "supplier": Supplier.objects.filter(pk=f["supplier_id"]).values_list("name", flat=True).first()})
    return "  ".join(parts)


def write_execution(fileobj, *, user, filters: dict) -> int:
    today = timezone.localdate()
    qs = selectors.execution_queryset(user=user, today=today, **filters)
    wb = workbook()
    sheet = Sheet(wb, name=_("Contract execution"), title=_("Contract execution table"),
                  subtitle=subtitle(_filters_text(filters), user=user), columns=columns())
    totals = selectors.Totals()
    for contract in qs.iterator(chunk_size=CHUNK):
        row = selectors.exec_row(contract, today=today)
        totals.add(row)
        nxt = row.next_term
        sheet.append([
            contract.number, contract.title, contract.unit.name, contract.supplier.name, contract.signed_on, contract.end_date,
            str(contract.get_status_display()), contract.original_amount, row.supplements, row.amount, row.paid, row.unpaid,
            row.percent_paid / 100, nxt.label if nxt else "", nxt.due_date if nxt else None, row.accepted_on,
            row.retention_held, row.retention_release,
        ])
    sheet.totals(_("Total (%(n)d contracts)") % {"n": totals.count}, {12: totals.percent_paid / 100})
    save(wb, fileobj)
    return totals.count
