"""Reads of payments, shaped for the pages: a fixed number of queries however long the list."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from approvals.models import Case

from . import registry
from .models import Payment

ZERO = Decimal("0.00")


@dataclass
class DeskRow:
    case: Case
    source_key: str
    cap: Decimal
    paid: Decimal

    @property
    def left(self) -> Decimal:
        return max(ZERO, self.cap - self.paid)


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


def desk_rows(*, q: str = "", with_nothing_left: bool = False) -> list[DeskRow]:
    """The desk's list: per case the amount approved, paid and left (cases with nothing left
    are left out unless asked). Caps come from each source in one call."""
    qs = payable_cases()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(title__icontains=q) | Q(applicant__full_name__icontains=q))
    cases = list(qs)
    by_source: dict[str, list[Case]] = {}
    for case in cases:
        by_source.setdefault(case.source_key, []).append(case)
    caps: dict[int, Decimal] = {}
    for key, group in by_source.items():
        if key:
            caps.update(registry.get_source(key).caps_for(group))
    rows = [DeskRow(case=c, source_key=c.source_key, cap=caps.get(c.pk, ZERO), paid=c.paid) for c in cases]
    return rows if with_nothing_left else [r for r in rows if r.left > 0]


def case_for_desk(pk: int) -> Case:
    return get_object_or_404(Case.objects.select_related("matter", "unit", "applicant"), pk=pk)


def payments_of(case: Case):
    return (Payment.objects.filter(case=case).select_related("paid_by", "refund_of")
            .prefetch_related("refunds").order_by("paid_at", "id"))


def history(*, q: str = ""):
    qs = Payment.objects.select_related("case", "case__unit", "paid_by", "refund_of").order_by("-paid_at", "-id")
    if q:
        qs = qs.filter(Q(case__number__icontains=q) | Q(payee_name__icontains=q) | Q(invoice_number__icontains=q.replace(" ", "").upper()))
    return qs


def payment_for_desk(pk: int) -> Payment:
    return get_object_or_404(Payment.objects.select_related("case", "paid_by"), pk=pk)
