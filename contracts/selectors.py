"""Reads of contracts: access and the contract execution table (合同执行情况表). The chain
(全链条) of a contract is the chain app's page, from the links in ``contracts.links``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from approvals.models import Case
from documents.selectors import documents_of
from procurement import selectors as procurement_selectors

from .models import Acceptance, Contract, Payment, PaymentTerm

ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=16, decimal_places=2)
PS = Payment.Status

procurement_scope = procurement_selectors.procurement_scope


# --- figures of one contract (read under the caller's lock, if any) ------------------------------
@dataclass
class Figures:
    """What a contract allows and what was paid, at one moment."""

    amount: Decimal
    reached: Decimal  # sum of the current milestones that are reached
    paid: Decimal
    in_flight: Decimal  # payments submitted or approved, not yet paid

    @property
    def payable(self) -> Decimal:
        return max(ZERO, self.reached - self.paid - self.in_flight)

    @property
    def unpaid(self) -> Decimal:
        return self.amount - self.paid


def term_claims(contract: Contract, *, exclude_payment_id: int | None = None) -> dict[int, dict[str, Decimal]]:
    """Per term: paid and in-flight amounts (one grouped query)."""
    qs = Payment.objects.filter(contract=contract, status__in=Payment.HOLDING)
    if exclude_payment_id:
        qs = qs.exclude(pk=exclude_payment_id)
    out: dict[int, dict[str, Decimal]] = {}
    for r in qs.values("term_id", "status").annotate(total=Sum("amount")).order_by():
        d = out.setdefault(r["term_id"], {"paid": ZERO, "in_flight": ZERO})
        d["paid" if r["status"] == PS.PAID else "in_flight"] += r["total"] or ZERO
    return out


def contract_figures(contract: Contract, *, today: dt.date | None = None, exclude_payment_id: int | None = None) -> Figures:
    today = today or timezone.localdate()
    terms = list(contract.terms.filter(is_active=True))
    reached = sum((t.amount for t in terms if t.is_reached(today)), ZERO)
    claims = term_claims(contract, exclude_payment_id=exclude_payment_id)
    paid = sum((c["paid"] for c in claims.values()), ZERO)
    in_flight = sum((c["in_flight"] for c in claims.values()), ZERO)
    return Figures(amount=contract.amount, reached=reached, paid=paid, in_flight=in_flight)


def next_due_term(contract: Contract, *, today: dt.date | None = None) -> tuple[PaymentTerm | None, Decimal]:
    """The first current milestone not fully claimed, and what is left of it."""
    claims = term_claims(contract)
    for term in contract.terms.filter(is_active=True).order_by("seq", "id"):
        c = claims.get(term.pk, {})
        rest = term.amount - c.get("paid", ZERO) - c.get("in_flight", ZERO)
        if rest > 0:
            return term, rest
    return None, ZERO


def term_claims_many(contract_ids) -> dict[int, Decimal]:
    rows = (
        Payment.objects.filter(contract_id__in=set(contract_ids), status__in=Payment.HOLDING)
        .values("term_id").annotate(total=Sum("amount")).order_by()
    )
    return {r["term_id"]: r["total"] for r in rows}


# --- access ----------------------------------------------------------------------------------------
def contracts_for(user) -> QuerySet[Contract]:
    scope = procurement_scope(user)
    qs = Contract.objects.all()
    return qs if scope is None else qs.filter(unit_id__in=scope)


def contract_for_user(user, pk) -> Contract:
    try:
        contract = Contract.objects.select_related("case__applicant", "unit", "supplier", "budget_line__unit", "award", "purchase").get(pk=pk)
    except (Contract.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not procurement_selectors.may_read_record(user, unit_id=contract.unit_id, case_id=contract.case_id):
        raise Http404
    return contract


def payment_for_user(user, pk) -> Payment:
    try:
        payment = Payment.objects.select_related("case__applicant", "contract__supplier", "term", "unit", "paid_by").get(pk=pk)
    except (Payment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not procurement_selectors.may_read_record(user, unit_id=payment.unit_id, case_id=payment.case_id):
        raise Http404
    return payment


def payments_for(user) -> QuerySet[Payment]:
    scope = procurement_scope(user)
    qs = Payment.objects.exclude(status=PS.DRAFT).select_related("case__applicant", "contract", "supplier", "unit", "term", "paid_by")
    return qs if scope is None else qs.filter(unit_id__in=scope)


# --- the execution table --------------------------------------------------------------------------------
def _sum_payments(statuses) -> Subquery:
    return Subquery(
        Payment.objects.filter(contract=OuterRef("pk"), status__in=statuses)
        .values("contract").annotate(t=Sum("amount")).values("t"),
        output_field=_MONEY,
    )


def _terms_prefetch() -> Prefetch:
    holding = Q(payments__status__in=Payment.HOLDING)
    return Prefetch(
        "terms",
        queryset=PaymentTerm.objects.filter(is_active=True).annotate(
            claimed=Coalesce(Sum("payments__amount", filter=holding), Value(ZERO), output_field=_MONEY),
            term_paid=Coalesce(Sum("payments__amount", filter=Q(payments__status=PS.PAID)), Value(ZERO), output_field=_MONEY),
        ).order_by("seq", "id"),
        to_attr="current_terms",
    )


STATUS_FILTERS = ("active", "completed", "in_approval", "ending", "overdue")


def execution_queryset(*, user, unit_id: int | None = None, supplier_id: int | None = None, year: int | None = None,
                       status: str | None = None, q: str = "", today: dt.date | None = None) -> QuerySet[Contract]:
    """Contracts of the table with their figures as annotations and their current terms
    (with what is claimed on each) prefetched: two queries however many rows."""
    today = today or timezone.localdate()
    qs = contracts_for(user).exclude(status__in=[Contract.Status.DRAFT, Contract.Status.CANCELLED])
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if supplier_id:
        qs = qs.filter(supplier_id=supplier_id)
    if year:
        qs = qs.filter(signed_on__year=year)
    if status == "ending":
        qs = qs.filter(status=Contract.Status.ACTIVE, end_date__gte=today, end_date__lte=today + dt.timedelta(days=30))
    elif status == "overdue":
        qs = qs.filter(status=Contract.Status.ACTIVE, end_date__lt=today)
    elif status in (Contract.Status.ACTIVE, Contract.Status.COMPLETED, Contract.Status.IN_APPROVAL):
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(title__icontains=q) | Q(supplier__name__icontains=q))
    accepted = (
        Acceptance.objects.filter(contract=OuterRef("pk"), status=Acceptance.Status.CONFIRMED, result=Acceptance.Result.PASSED)
        .values("contract").annotate(d=Max("accepted_on")).values("d")
    )
    qs = qs.annotate(
        paid=Coalesce(_sum_payments([PS.PAID]), Value(ZERO), output_field=_MONEY),
        in_flight=Coalesce(_sum_payments([PS.SUBMITTED, PS.APPROVED]), Value(ZERO), output_field=_MONEY),
        accepted_on=Subquery(accepted),
    )
    return qs.select_related("unit", "supplier").prefetch_related(_terms_prefetch()).order_by("-signed_on", "-id")


@dataclass
class ExecRow:
    contract: Contract
    paid: Decimal
    in_flight: Decimal
    next_term: PaymentTerm | None = None
    next_rest: Decimal = ZERO
    retention_held: Decimal = ZERO
    retention_release: dt.date | None = None
    reached: Decimal = ZERO

    @property
    def amount(self) -> Decimal:
        return self.contract.amount

    @property
    def unpaid(self) -> Decimal:
        return self.contract.amount - self.paid

    @property
    def percent_paid(self) -> Decimal:
        if not self.contract.amount:
            return ZERO
        return (self.paid * 100 / self.contract.amount).quantize(Decimal("0.01"))

    @property
    def accepted_on(self):
        return getattr(self.contract, "accepted_on", None)

    @property
    def supplements(self) -> Decimal:
        return self.contract.amount - self.contract.original_amount


def exec_row(contract: Contract, *, today: dt.date | None = None) -> ExecRow:
    """A row from a contract annotated and prefetched by ``execution_queryset``."""
    today = today or timezone.localdate()
    row = ExecRow(contract=contract, paid=contract.paid, in_flight=contract.in_flight)
    for term in contract.current_terms:
        rest = term.amount - term.claimed
        if row.next_term is None and rest > 0:
            row.next_term, row.next_rest = term, rest
        if term.is_reached(today):
            row.reached += term.amount
        if term.kind == PaymentTerm.Kind.RETENTION:
            held = term.amount - term.term_paid
            if held > 0:
                row.retention_held += held
                if row.retention_release is None or (term.due_date and term.due_date < row.retention_release):
                    row.retention_release = term.due_date
    return row


@dataclass
class Totals:
    amount: Decimal = ZERO
    original: Decimal = ZERO
    paid: Decimal = ZERO
    unpaid: Decimal = ZERO
    retention_held: Decimal = ZERO
    count: int = 0

    @property
    def percent_paid(self) -> Decimal:
        return (self.paid * 100 / self.amount).quantize(Decimal("0.01")) if self.amount else ZERO

    def add(self, row: ExecRow) -> None:
        self.amount += row.amount
        self.original += row.contract.original_amount
        self.paid += row.paid
        self.unpaid += row.unpaid
        self.retention_held += row.retention_held
        self.count += 1


def execution_totals(qs: QuerySet[Contract]) -> Totals:
    """Totals over the whole filtered table, in one query."""
    base = qs.order_by().values("pk")
    agg = Contract.objects.filter(pk__in=base).aggregate(
        amount=Coalesce(Sum("amount"), Value(ZERO), output_field=_MONEY),
        original=Coalesce(Sum("original_amount"), Value(ZERO), output_field=_MONEY),
    )
    paid = Payment.objects.filter(contract__in=base, status=PS.PAID).aggregate(t=Sum("amount"))["t"] or ZERO
    retention = PaymentTerm.objects.filter(contract__in=base, is_active=True, kind=PaymentTerm.Kind.RETENTION).aggregate(
        t=Sum("amount"))["t"] or ZERO
    retention_paid = Payment.objects.filter(
        contract__in=base, status=PS.PAID, term__kind=PaymentTerm.Kind.RETENTION, term__is_active=True
    ).aggregate(t=Sum("amount"))["t"] or ZERO
    return Totals(amount=agg["amount"], original=agg["original"], paid=paid, unpaid=agg["amount"] - paid,
                  retention_held=retention - retention_paid, count=qs.count())


def contract_years(user) -> list[int]:
    return sorted({d.year for d in contracts_for(user).dates("signed_on", "year")}, reverse=True)


# --- one contract ----------------------------------------------------------------------------------------
def contract_page(contract: Contract) -> dict:
    today = timezone.localdate()
    row = exec_row(execution_queryset_for_one(contract), today=today)
    terms = list(
        contract.terms.annotate(
            claimed=Coalesce(Sum("payments__amount", filter=Q(payments__status__in=Payment.HOLDING)), Value(ZERO), output_field=_MONEY),
            term_paid=Coalesce(Sum("payments__amount", filter=Q(payments__status=PS.PAID)), Value(ZERO), output_field=_MONEY),
        ).select_related("acceptance", "supplement", "replaced_by").order_by("-is_active", "seq", "id")
    )
    for t in terms:
        t.reached = t.is_reached(today)
    return {
        "row": row,
        "terms": terms,
        "supplements": list(contract.supplements.select_related("case").order_by("seq", "id")),
        "acceptances": list(contract.acceptances.select_related("case").prefetch_related("members__unit").order_by("-accepted_on")),
        "payments": list(contract.payments.exclude(status=PS.DRAFT).select_related("case", "term", "paid_by").order_by("-created_at")),
        "documents": list(documents_of(contract)),
        "history": contract.history.select_related("history_user").order_by("-history_date")[:30],
    }


def execution_queryset_for_one(contract: Contract) -> Contract:
    return (
        Contract.objects.filter(pk=contract.pk)
        .annotate(
            paid=Coalesce(_sum_payments([PS.PAID]), Value(ZERO), output_field=_MONEY),
            in_flight=Coalesce(_sum_payments([PS.SUBMITTED, PS.APPROVED]), Value(ZERO), output_field=_MONEY),
            accepted_on=Subquery(
                Acceptance.objects.filter(contract=OuterRef("pk"), status=Acceptance.Status.CONFIRMED,
                                          result=Acceptance.Result.PASSED)
                .values("contract").annotate(d=Max("accepted_on")).values("d")
            ),
        )
        .prefetch_related(_terms_prefetch())
        .get()
    )


def payable_terms_for_case(case: Case | None, user):
    """Milestones a payment form may choose: the current terms of the unit's contracts in force."""
    unit_id = case.unit_id if case is not None else getattr(user, "unit_id", None)
    return (
        PaymentTerm.objects.filter(is_active=True, contract__status=Contract.Status.ACTIVE, contract__unit_id=unit_id)
        .select_related("contract__supplier").order_by("-contract__signed_on", "contract_id", "seq")
    )


