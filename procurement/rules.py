"""Procurement risk rules (RISK_RULES.md, 采购), run by the risk engine through approvals.rules."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_DOWN, Decimal

from django.db.models import F, Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.rules import Finding, Param, Rule, Severity, judged_on

from .models import Award, Purchase, PurchaseCategory, Quote, SupplierQualification

_CONTACTS = (("address", gettext_lazy("address")), ("phone", gettext_lazy("phone")),
             ("email", gettext_lazy("e-mail")), ("bank_account", gettext_lazy("bank account")))


def _normal(value: str) -> str:
    return "".join((value or "").split()).lower()


class SuspiciousQuotes(Rule):
    """PRO-06 报价雷同: two quotes of one purchase with the same amount, or from suppliers that
    share an address, phone, e-mail or bank account (OCP R028, R044)."""

    code = "PRO-06"
    title = gettext_lazy("Identical or suspicious quotes")
    severity = Severity.HIGH
    events = ("case.approved",)

    def scan(self, params, scope=None):
        quotes = (Quote.objects.exclude(purchase__status=Purchase.Status.CANCELLED)
                  .select_related("supplier", "purchase__case").order_by("purchase_id", "id"))
        if scope and scope.get("case_id"):
            quotes = quotes.filter(purchase__case_id=scope["case_id"])
        by_purchase = defaultdict(list)
        for q in quotes.iterator(chunk_size=2000):
            by_purchase[q.purchase_id].append(q)
        for purchase_id, rows in by_purchase.items():
            case = rows[0].purchase.case
            for i, a in enumerate(rows):
                for b in rows[i + 1:]:
                    if a.supplier_id == b.supplier_id:
                        continue
                    shared = [str(label) for field, label in _CONTACTS
                              if _normal(getattr(a.supplier, field)) and
                              _normal(getattr(a.supplier, field)) == _normal(getattr(b.supplier, field))]
                    same_amount = a.amount == b.amount
                    if not (shared or same_amount):
                        continue
                    why = "、".join(([_("the same price")] if same_amount else []) + shared)
                    yield Finding(
                        records=(("procurement.purchase", purchase_id), ("procurement.supplier", a.supplier_id),
                                 ("procurement.supplier", b.supplier_id)),
                        message=_("%(number)s: quotes of %(a)s and %(b)s share %(why)s") % {
                            "number": case.number, "a": a.supplier.name, "b": b.supplier.name, "why": why},
                        figures={"amount_a": str(a.amount), "amount_b": str(b.amount), "shared": why},
                        unit_id=case.unit_id,
                    )


class LapsedSupplier(Rule):
    """PRO-08 失信或资质过期: an award to a supplier that is blacklisted, or one of whose
    qualifications had expired on the award date."""

    code = "PRO-08"
    title = gettext_lazy("Blacklisted or lapsed supplier")
    severity = Severity.HIGH
    events = ("case.approved",)

    def scan(self, params, scope=None):
        awards = (Award.objects.filter(status=Award.Status.AWARDED).select_related("supplier", "purchase__case")
                  .filter(Q(supplier__blacklisted=True) | Q(supplier__qualifications__valid_until__lt=F("awarded_on")))
                  .distinct())
        awards = awards.prefetch_related(Prefetch("supplier__qualifications", to_attr="quals",
                                                  queryset=SupplierQualification.objects.exclude(valid_until=None)))
        for award in awards:
            s = award.supplier
            lapsed = [q.name for q in s.quals if award.awarded_on and q.valid_until < award.awarded_on]
            reasons = ([_("blacklisted")] if s.blacklisted else []) + [
                _("%(name)s expired") % {"name": n} for n in lapsed]
            if not reasons:
                continue
            yield Finding(
                records=(("procurement.award", award.pk), ("procurement.supplier", s.pk)),
                message=_("%(number)s was awarded to %(supplier)s: %(reasons)s") % {
                    "number": award.purchase.case.number, "supplier": s.name, "reasons": "、".join(reasons)},
                figures={"amount": str(award.amount), "awarded_on": award.awarded_on.isoformat() if award.awarded_on else ""},
                unit_id=award.purchase.case.unit_id,
            )


def award_shares(year: int):
    """Awarded amount per (category, supplier) in the year with the category's total, one
    aggregate query (no join that could repeat an award)."""
    from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum

    money = DecimalField(max_digits=16, decimal_places=2)
    base = Award.objects.filter(status=Award.Status.AWARDED, awarded_on__year=year)
    category_total = (base.filter(purchase__category=OuterRef("purchase__category")).order_by()
                      .values("purchase__category").annotate(t=Sum("amount")).values("t"))
    return (base.values("purchase__category", "supplier_id", "supplier__name")
            .annotate(amount=Sum("amount"), awards=Count("id"),
                      category_total=Subquery(category_total, output_field=money))
            .order_by("purchase__category", "-amount"))


def captive_suppliers(year: int, more_than: int):
    """Suppliers with more than ``more_than`` awards in the year, all from one unit."""
    from django.db.models import Count, Sum

    return (Award.objects.filter(status=Award.Status.AWARDED, awarded_on__year=year)
            .values("supplier_id", "supplier__name")
            .annotate(awards=Count("id"), units=Count("purchase__unit", distinct=True), amount=Sum("amount"))
            .filter(units=1, awards__gt=more_than).order_by("-awards"))


class SupplierConcentration(Rule):
    """PRO-07 供应商集中: one supplier wins more than the share of the office's awarded amount
    in a category in a year, or more than N awards from one unit and none elsewhere
    (a "captive supplier", ProZorro's risk rules)."""

    code = "PRO-07"
    title = gettext_lazy("Supplier concentration")
    severity = Severity.MEDIUM
    params = {"share": Param(Decimal("30"), gettext_lazy("share of a category's awarded amount in a year (%)")),
              "captive_awards": Param(3, gettext_lazy("awards from one unit only"))}

    def scan(self, params, scope=None):
        year = judged_on(scope).year
        share, labels = Decimal(params["share"]), dict(PurchaseCategory.choices)
        for r in award_shares(year):
            total = r["category_total"] or Decimal("0")
            if total <= 0 or r["amount"] * 100 <= share * total:
                continue
            got = (r["amount"] * 100 / total).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
            yield Finding(
                records=(("procurement.supplier", r["supplier_id"]),),
                message=_("%(supplier)s won %(share)s%% of the %(category)s awarded in %(year)s") % {
                    "supplier": r["supplier__name"], "share": got, "category": labels.get(r["purchase__category"], ""),
                    "year": year},
                figures={"amount": str(r["amount"]), "category_total": str(total), "share": str(got),
                         "threshold": str(share)},
                part=f"{year}:{r['purchase__category']}",
            )
        for r in captive_suppliers(year, int(params["captive_awards"])):
            yield Finding(
                records=(("procurement.supplier", r["supplier_id"]),),
                message=_("%(supplier)s won %(n)s awards in %(year)s, all from one unit") % {
                    "supplier": r["supplier__name"], "n": r["awards"], "year": year},
                figures={"awards": r["awards"], "amount": str(r["amount"]), "threshold": int(params["captive_awards"])},
                part=f"{year}:captive",
            )
