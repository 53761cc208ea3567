"""What contracts add to procurement's supplier pages (procurement.downstream): a supplier's
contracts and payments."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear

from procurement.downstream import Downstream

from . import selectors
from .models import Contract, Payment

ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=14, decimal_places=2)
LIVE = (Contract.Status.ACTIVE, Contract.Status.COMPLETED)


def supplier_years(supplier) -> list[dict]:
    years: dict[int, dict] = {}
    for r in (
        Contract.objects.filter(supplier=supplier, status__in=LIVE)
        .annotate(y=ExtractYear("signed_on")).values("y").annotate(n=Count("id"), total=Sum("amount")).order_by()
    ):
        years.setdefault(r["y"], {"year": r["y"]}).update(contracts=r["n"], contracted=r["total"])
    for r in (
        Payment.objects.filter(supplier=supplier, status=Payment.Status.PAID)
        .annotate(y=ExtractYear("paid_on")).values("y").annotate(total=Sum("amount")).order_by()
    ):
        years.setdefault(r["y"], {"year": r["y"]})["paid"] = r["total"]
    return list(years.values())


def supplier_records(supplier, scope) -> dict:
    def scoped(qs):
        return qs if scope is None else qs.filter(unit_id__in=scope)

    return {
        "contracts": scoped(Contract.objects.filter(supplier=supplier)).select_related("unit").order_by("-signed_on", "-id")[:200],
        "payments": scoped(Payment.objects.filter(supplier=supplier).exclude(status=Payment.Status.DRAFT))
        .select_related("contract", "case", "unit").order_by("-paid_on", "-id")[:200],
    }


def supplier_year_annotations(year: int) -> dict:
    signed = Contract.objects.filter(supplier=OuterRef("pk"), status__in=LIVE, signed_on__year=year).values("supplier")
    paid = (
        Payment.objects.filter(supplier=OuterRef("pk"), status=Payment.Status.PAID, paid_on__year=year)
        .values("supplier").annotate(t=Sum("amount")).values("t")
    )
    return {
        "year_contracts": Coalesce(Subquery(signed.annotate(n=Count("id")).values("n")), Value(0)),
        "year_contracted": Coalesce(Subquery(signed.annotate(t=Sum("amount")).values("t"), output_field=_MONEY),
                                    Value(ZERO), output_field=_MONEY),
        "year_paid": Coalesce(Subquery(paid, output_field=_MONEY), Value(ZERO), output_field=_MONEY),
    }


DOWNSTREAM = Downstream(
    supplier_years=supplier_years,
    supplier_records=supplier_records,
    supplier_year_annotations=supplier_year_annotations,
)
