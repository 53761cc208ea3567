"""Reads of payments, shaped for the pages: a fixed number of queries however long the list."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from approvals.models import Case
from documents.selectors import documents_by_owner, documents_of

from . import deadlines, registry
from .documents import CASE_INVOICE_KINDS
from .models import Payment

ZERO = Decimal("0.00")


@dataclass
class DeskRow:
    case: Case
    source_key: str
    cap: Decimal
    paid: Decimal
    due: deadlines.Due | None = None
    days_left: int | None = None

    @property
    def left(self) -> Decimal:
        return max(ZERO, self.cap - self.paid)

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def overdue_days(self) -> int:
        return -self.days_left if self.overdue else 0


def _paid_subquery():
    paid = (
        Payment.objects.filter(case=OuterRef("pk"), status=Payment.Status.PAID)
        .order_by().values("case").annotate(t=Sum("amount")).values("t")
    )
    return Coalesce(Subquery(paid, output_field=DecimalField(max_digits=14, decimal_places=2)),
                    Value(ZERO, output_field=DecimalField(max_digits=14, decimal_places=2)))


def payable_cases():
    """Approved cases some source pays, annotated with the source and what was paid."""
    sources = registry.ordered_sources()
    if not sources:
        return Case.objects.none()
    claimed = Q()
    for source in sources:
        claimed |= source.q()
    return (
        Case.objects.filter(status=Case.Status.APPROVED).filter(claimed)
        .annotate(source_key=registry.source_annotation(), paid=_paid_subquery())
        .select_related("matter", "unit", "applicant")
        .order_by("finished_at", "id")
    )


SORTS = ("due", "-due", "")


def desk_rows(*, q: str = "", with_nothing_left: bool = False, sort: str = "", today=None) -> list[DeskRow]:
    """The desk's list: per case the amount approved, paid and left (cases with nothing left
    are left out unless asked), and the payment deadline where the regulation sets one (an
    SME's goods, works or services: due date and days left). Caps and deadlines come from
    each source in one call. ``sort`` "due" puts the nearest due date first (cases without
    a deadline last), "-due" the farthest; otherwise oldest approval first."""
    qs = payable_cases()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(title__icontains=q) | Q(applicant__full_name__icontains=q))
    cases = list(qs)
    by_source: dict[str, list[Case]] = {}
    for case in cases:
        by_source.setdefault(case.source_key, []).append(case)
    caps: dict[int, Decimal] = {}
    starts: dict[int, registry.DueFrom] = {}
    for key, group in by_source.items():
        if key:
            source = registry.get_source(key)
            caps.update(source.caps_for(group))
            if source.due_from is not None:
                starts.update(source.due_from(group))
    today = today or timezone.localdate()
    rules = deadlines.rules() if any(s.sme for s in starts.values()) else []
    rows = []
    for c in cases:
        start = starts.get(c.pk)
        due = deadlines.due(start, rules) if start is not None and start.sme else None
        rows.append(DeskRow(case=c, source_key=c.source_key, cap=caps.get(c.pk, ZERO), paid=c.paid, due=due,
                            days_left=due.days_left(today) if due else None))
    if not with_nothing_left:
        rows = [r for r in rows if r.left > 0]
    if sort in ("due", "-due"):
        dated = sorted((r for r in rows if r.due), key=lambda r: (r.due.date, r.case.pk), reverse=sort == "-due")
        rows = dated + [r for r in rows if not r.due]
    return rows


def due_of(case: Case) -> deadlines.Due | None:
    """The payment deadline of one case (the case page)."""
    source = registry.source_for(case)
    if source is None or source.due_from is None:
        return None
    start = source.due_from([case]).get(case.pk)
    return deadlines.due(start) if start is not None and start.sme else None


def case_for_desk(pk: int) -> Case:
    return get_object_or_404(Case.objects.select_related("matter", "unit", "applicant"), pk=pk)


def payments_of(case: Case) -> list[Payment]:
    """The case's payments, each with its invoice scans (``scans``)."""
    rows = list(Payment.objects.filter(case=case).select_related("paid_by", "refund_of")
                .prefetch_related("refunds").order_by("paid_at", "id"))
    scans = documents_by_owner(Payment, [p.pk for p in rows])
    for p in rows:
        p.scans = scans.get(p.pk, [])
    return rows


def case_invoice_documents(case: Case):
    """The invoices the clerk attached to the form (its materials of kind 发票)."""
    return [d for d in documents_of(case) if d.kind in CASE_INVOICE_KINDS]


def history(*, q: str = ""):
    qs = Payment.objects.select_related("case", "case__unit", "paid_by", "refund_of").order_by("-paid_at", "-id")
    if q:
        qs = qs.filter(Q(case__number__icontains=q) | Q(payee_name__icontains=q) | Q(invoice_number__icontains=q.replace(" ", "").upper()))
    return qs


def payment_for_desk(pk: int) -> Payment:
    return get_object_or_404(Payment.objects.select_related("case", "paid_by"), pk=pk)
