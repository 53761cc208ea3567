"""Reads of procurement data: who sees what, the thresholds in force, the method an amount
requires, supplier pages and supplier totals by year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.http import Http404
from django.utils import timezone

from approvals.permissions import visible_cases
from documents.selectors import documents_by_owner, with_history
from org.models import FunctionalDepartment, Role
from org.selectors import visible_unit_ids

from . import downstream, methods
from .models import Award, Purchase, PurchaseCategory, Quote, Supplier, SupplierQualification, Threshold

ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=16, decimal_places=2)


# --- access ---------------------------------------------------------------------------------------
def _functional_member(user, field: str) -> bool:
    return bool(user.unit_id) and FunctionalDepartment.objects.filter(field=field, unit_id=user.unit_id).exists()


def procurement_scope(user) -> set[int] | None:
    """Units whose purchases and contracts the user may read; None for every unit.

    Deny by default: a person with no role sees nothing. Finance, supervisors, principal
    leaders and administrators read everything, and so does the procurement centre, the
    functional (归口) department that reviews every unit's purchases."""
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied
    if not (user.is_superuser or user.roles):
        raise PermissionDenied
    cached = getattr(user, "_procurement_scope", ...)
    if cached is ...:
        ids = visible_unit_ids(user)
        if ids is not None and _functional_member(user, FunctionalDepartment.Field.PURCHASE):
            ids = None
        cached = user._procurement_scope = ids  # once per request (the user object lives as long)
    if cached is not None and not cached:
        raise PermissionDenied
    return cached


def may_read_record(user, *, unit_id: int, case_id: int | None, scope=...) -> bool:
    """A record is readable in the user's unit scope, or when its case is readable (an
    approver of another unit who held a step of its route)."""
    if scope is ...:
        scope = procurement_scope(user)
    if scope is None or unit_id in scope:
        return True
    return case_id is not None and visible_cases(user).filter(pk=case_id).exists()


def readable_records(user, rows) -> set[int]:
    """``may_read_record`` for a batch (the chain page): ``rows`` are (record id, unit id, case
    id); the ids of those the user may read, in at most one query. Nothing for a person
    without a role."""
    try:
        scope = procurement_scope(user)
    except PermissionDenied:
        return set()
    rows = list(rows)
    ok = {pk for pk, unit_id, _case_id in rows if scope is None or unit_id in scope}
    rest = {case_id for pk, _unit_id, case_id in rows if pk not in ok and case_id is not None}
    if rest:
        readable = set(visible_cases(user).filter(pk__in=rest).values_list("pk", flat=True))
        ok |= {pk for pk, _unit_id, case_id in rows if case_id in readable}
    return ok


def require_reader(user) -> None:
    """Supplier pages: any person with a role (deny by default otherwise)."""
    if not user.is_authenticated or not user.is_active or not (user.is_superuser or user.roles):
        raise PermissionDenied


def can_manage_suppliers(user) -> bool:
    """Edit suppliers and their qualifications: the procurement centre and administrators."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.has_role(Role.ADMIN) or _functional_member(user, FunctionalDepartment.Field.PURCHASE)


def can_blacklist(user) -> bool:
    """Put a supplier on or off the blacklist: the head of the procurement centre and administrators."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.has_role(Role.ADMIN):
        return True
    return user.has_role(Role.UNIT_HEAD) and _functional_member(user, FunctionalDepartment.Field.PURCHASE)


def can_register_suppliers(user) -> bool:
    """Anyone who files purchases (a person with a unit and a role) may register a supplier;
    a supervisor changes nothing (User.changes_nothing)."""
    return bool(user.is_authenticated and user.is_active and not user.changes_nothing
                and (user.is_superuser or (user.roles and user.unit_id)))


# --- thresholds -------------------------------------------------------------------------------------
def thresholds_in_force(on: dt.date | None = None) -> QuerySet[Threshold]:
    on = on or timezone.localdate()
    return Threshold.objects.filter(effective_from__lte=on).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))


def thresholds_on(*, category: str, on: dt.date | None = None) -> dict[str, methods.ThresholdValue]:
    """kind → the value in force for ``category`` (a row of the category before one for all)."""
    rows = thresholds_in_force(on).filter(Q(category=category) | Q(category="")).order_by("kind", "-category", "-effective_from")
    found: dict[str, methods.ThresholdValue] = {}
    for t in rows:
        if t.kind not in found:
            found[t.kind] = methods.ThresholdValue(amount=t.amount, regulation=t.regulation, label=str(t.get_kind_display()))
    return found


def threshold_amount(kind: str, *, category: str = "", on: dt.date | None = None) -> Decimal | None:
    value = thresholds_on(category=category, on=on).get(kind)
    return value.amount if value else None


def method_requirement(*, amount: Decimal, category: str, on: dt.date | None = None) -> methods.Requirement:
    return methods.requirement(amount=amount, category=category, thresholds=thresholds_on(category=category, on=on))


def proposals(amount: Decimal | None, on: dt.date | None = None) -> list[tuple[str, methods.Requirement]]:
    """The proposed method for each category, for the applicant's guidance."""
    if amount is None:
        return []
    return [(str(label), method_requirement(amount=amount, category=value, on=on)) for value, label in PurchaseCategory.choices]


# --- records ---------------------------------------------------------------------------------------------
def purchases_for(user) -> QuerySet[Purchase]:
    scope = procurement_scope(user)
    qs = Purchase.objects.select_related("case__applicant", "unit", "award__supplier")
    return qs if scope is None else qs.filter(unit_id__in=scope)


def purchase_for_user(user, pk) -> Purchase:
    try:
        purchase = Purchase.objects.select_related("case__matter", "case__applicant", "unit").get(pk=pk)
    except (Purchase.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not may_read_record(user, unit_id=purchase.unit_id, case_id=purchase.case_id):
        raise Http404
    return purchase


def quotes_with_documents(purchase: Purchase, *, history: bool = False) -> list[Quote]:
    """The purchase's quotes, each with ``documents`` (list), in two queries; with ``history``
    each document also carries its earlier versions (one query more)."""
    quotes = list(purchase.quotes.select_related("supplier").order_by("amount", "id"))
    docs = documents_by_owner(Quote, [q.pk for q in quotes])
    if history:
        with_history([d for ds in docs.values() for d in ds])
    for q in quotes:
        q.documents = docs.get(q.pk, [])
    return quotes


def published_awards() -> QuerySet[Award]:
    """信息内部公开: every approved award, for all staff."""
    return (
        Award.objects.filter(status=Award.Status.AWARDED, published_at__isnull=False)
        .select_related("supplier", "purchase__case", "purchase__unit")
        .order_by("-published_at", "-id")
    )


# --- suppliers -------------------------------------------------------------------------------------------
def _award_sums(year: int) -> tuple[Subquery, Subquery]:
    """(count, amount) of the supplier's awards of the year, each a correlated subquery so
    that no other join (qualifications, quotes) can multiply the rows being summed."""
    awards = (
        Award.objects.filter(supplier=OuterRef("pk"), status=Award.Status.AWARDED, awarded_on__year=year)
        .order_by().values("supplier")
    )
    return (
        Subquery(awards.annotate(n=Count("id")).values("n"), output_field=IntegerField()),
        Subquery(awards.annotate(t=Sum("amount")).values("t"), output_field=_MONEY),
    )


def supplier_list(*, q: str = "", blacklisted: str = "", year: int | None = None) -> QuerySet[Supplier]:
    """Suppliers with their awards of the year (count, amount) and qualification expiry,
    in one query. Every figure is a subquery of its own table: a Sum over a join with
    another to-many relation would count each award once per qualification."""
    year = year or timezone.localdate().year
    today = timezone.localdate()
    n_awards, amount = _award_sums(year)
    expired = (
        SupplierQualification.objects.filter(supplier=OuterRef("pk"), valid_until__lt=today)
        .order_by().values("supplier").annotate(n=Count("id")).values("n")
    )
    qs = Supplier.objects.annotate(
        year_awards=Coalesce(n_awards, Value(0)),
        year_amount=Coalesce(amount, Value(ZERO), output_field=_MONEY),
        expired_count=Coalesce(Subquery(expired, output_field=IntegerField()), Value(0)),
    )
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__icontains=q.upper()) | Q(contact_person__icontains=q))
    if blacklisted == "1":
        qs = qs.filter(blacklisted=True)
    elif blacklisted == "0":
        qs = qs.filter(blacklisted=False)
    return qs.order_by("name", "id")


def supplier_totals_by_year(supplier: Supplier) -> list[dict]:
    """累计中标或成交情况: per year the awards (count, amount), the contracts signed and the
    amount paid (those from the apps after procurement). Three grouped queries."""
    years: dict[int, dict] = {}

    def row(year):
        return years.setdefault(year, {"year": year, "awards": 0, "awarded": ZERO, "contracts": 0, "contracted": ZERO, "paid": ZERO})

    for r in (
        Award.objects.filter(supplier=supplier, status=Award.Status.AWARDED, awarded_on__isnull=False)
        .annotate(y=ExtractYear("awarded_on")).values("y").annotate(n=Count("id"), total=Sum("amount")).order_by()
    ):
        row(r["y"]).update(awards=r["n"], awarded=r["total"])
    after = downstream.get()
    for r in after.supplier_years(supplier) if after else ():
        row(r["year"]).update({k: v for k, v in r.items() if k != "year"})
    return [years[y] for y in sorted(years, reverse=True)]


def supplier_records(supplier: Supplier, user) -> dict:
    """Every quote, award, contract and payment of the supplier the user may read."""
    scope = procurement_scope(user)

    def scoped(qs, field):
        return qs if scope is None else qs.filter(**{f"{field}__in": scope})

    after = downstream.get()
    return {
        "quotes": scoped(Quote.objects.filter(supplier=supplier), "purchase__unit_id")
        .select_related("purchase__case", "purchase__unit").order_by("-quoted_on", "-id")[:200],
        "awards": Award.objects.filter(supplier=supplier).exclude(status=Award.Status.CANCELLED)
        .select_related("purchase__case", "purchase__unit").order_by("-awarded_on", "-id")[:200],
        "contracts": [], "payments": [],
        **(after.supplier_records(supplier, scope) if after else {}),
    }


def supplier_year_totals(*, year: int) -> QuerySet[Supplier]:
    """供应商累计成交情况 for a year: every supplier with an award, contract or payment in it."""
    n_awards, amount = _award_sums(year)
    after = downstream.get()
    later = after.supplier_year_annotations(year) if after else {}
    qs = Supplier.objects.annotate(
        year_awards=Coalesce(n_awards, Value(0)),
        year_amount=Coalesce(amount, Value(ZERO), output_field=_MONEY),
        year_contracts=later.get("year_contracts", Value(0)),
        year_contracted=later.get("year_contracted", Value(ZERO, output_field=_MONEY)),
        year_paid=later.get("year_paid", Value(ZERO, output_field=_MONEY)),
    )
    return qs.filter(Q(year_awards__gt=0) | Q(year_contracts__gt=0) | Q(year_paid__gt=0)).order_by("-year_amount", "name")


# --- figures (moved from services) ------------------------------------------------------------
def quote_documents_missing(purchase: Purchase) -> list[Quote]:
    return [q for q in quotes_with_documents(purchase) if not q.documents]


def purchase_year_total(*, unit_id: int, item_class: str, year: int) -> Decimal:
    return (
        Purchase.objects.filter(unit_id=unit_id, item_class=item_class, case__year=year)
        .exclude(status=Purchase.Status.CANCELLED).aggregate(t=Sum("case__amount"))["t"] or Decimal("0")
    )
