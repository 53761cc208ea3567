"""Procurement risk rules (RISK_RULES.md, 采购), run by the risk engine through approvals.rules."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import F, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.rules import Finding, Rule, Severity

from .models import Award, Purchase, Quote, SupplierQualification

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
        for award in awards.iterator(chunk_size=2000):
            s = award.supplier
            lapsed = list(SupplierQualification.objects.filter(supplier=s, valid_until__lt=award.awarded_on)
                          .values_list("name", flat=True)) if award.awarded_on else []
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
