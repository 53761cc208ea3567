"""工程项目台账 as a formatted .xlsx, streamed through ``core.xlsx`` (write-only, totals as
SUM formulas over the data rows)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from core.xlsx import Sheet, save, subtitle, workbook

from . import selectors

CHUNK = 500


def columns():
    return [
        (_("Project number"), 14, "text"), (_("Project name"), 30, "text"), (_("Unit"), 18, "text"), (_("Type"), 14, "text"),
        (_("Status"), 14, "text"), (_("Investment estimate"), 15, "money"), (_("Approved 概算"), 15, "money"),
        (_("Contracts"), 15, "money"), (_("Approved changes"), 14, "money"), (_("Work done"), 15, "money"),
        (_("Paid"), 15, "money"), (_("Audited settlement"), 15, "money"), (_("Started"), 11, "date"),
        (_("Completed"), 11, "date"), (_("Handed over"), 11, "date"),
    ]


def write_ledger(fileobj, *, scope, filters: dict, user=None) -> int:
    qs = selectors.ledger_queryset(scope=scope, **filters)
    wb = workbook()
    sheet = Sheet(wb, name=_("Project ledger"), title=_("Construction project ledger"), subtitle=subtitle(user=user),
                  columns=columns())
    totals = selectors.Totals()
    for p in qs.iterator(chunk_size=CHUNK):
        totals.add(p)
        sheet.append([p.number, p.name, p.unit.name, str(p.get_kind_display()), str(p.get_status_display()), p.estimate,
                      p.approved_budget, p.contracts_total, p.changes_total, p.work_done, p.paid_total, p.audited,
                      p.started_on, p.completed_on, p.handed_over_on])
    sheet.totals(_("Total (%(n)d projects)") % {"n": totals.count})
    save(wb, fileobj)
    return totals.count
