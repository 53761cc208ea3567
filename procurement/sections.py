"""The procurement sections of the one form (see ``approvals.registry``).

* ``purchase`` — category, item class and method, checked against the thresholds in force;
* ``award`` — the quotes (market survey) and the award, published internally once approved.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from approvals.registry import CaseSection, choice_label, field_label, money_text
from core.stages import Stage
from documents import registry as document_registry

from . import selectors, services
from .forms import AwardSectionForm, PurchaseSectionForm, award_initial
from .models import Award, Purchase, Quote


def _purchase(case) -> Purchase | None:
    if case is None:
        return None
    return Purchase.objects.select_related("case").filter(case=case).first()


class PurchaseSection(CaseSection):
    key = Stage.PURCHASE
    label = gettext_lazy("Procurement method")
    form_class = PurchaseSectionForm
    display_template = "procurement/_purchase_section.html"

    def initial(self, case, user):
        p = _purchase(case)
        if p is None:
            return {}
        return {
            "category": p.category, "item_class": p.item_class, "method": p.method, "platform_number": p.platform_number,
            "deviation_approval": p.deviation_approval, "single_source_reason": p.single_source_reason,
            "justification": p.justification, "publicity_start": p.publicity_start, "publicity_end": p.publicity_end,
            "publicity_place": p.publicity_place,
        }

    def save(self, case, form, actor):
        d = form.cleaned_data
        services.purchase_set(
            case=case, actor=actor, category=d["category"], item_class=d["item_class"], method=d["method"],
            deviation_approval=d.get("deviation_approval") or "", single_source_reason=d.get("single_source_reason") or "",
            justification=d.get("justification") or "", publicity_start=d.get("publicity_start"),
            publicity_end=d.get("publicity_end"), publicity_place=d.get("publicity_place") or "",
            platform_number=d.get("platform_number") or "",
        )

    def context(self, case, user):
        p = _purchase(case)
        req = selectors.method_requirement(amount=case.amount, category=p.category) if p and case.amount else None
        return {"purchase": p, "requirement": req, "case": case}

    def validate_submit(self, case, actor):
        return services.purchase_submit(case=case)

    def on_approved(self, case, actor):
        services.purchase_approved(case=case)

    def on_returned(self, case, actor):
        services.purchase_reopen(case=case)

    def on_rejected(self, case, actor):
        services.purchase_cancel(case=case)

    def on_withdrawn(self, case, actor):
        services.purchase_cancel(case=case)

    def snapshot(self, case):
        p = _purchase(case)
        if p is None:
            return None
        return {"category": p.category, "item_class": p.item_class, "method": p.method, "status": p.status,
                "deviation_approval": p.deviation_approval, "single_source_reason": p.single_source_reason,
                "publicity": [str(p.publicity_start or ""), str(p.publicity_end or ""), p.publicity_place],
                "justification": p.justification, "platform_number": p.platform_number}

    def describe(self, snapshot):
        publicity = list(snapshot.get("publicity") or []) + ["", "", ""]
        rows = [
            (field_label(Purchase, "category"), choice_label(Purchase, "category", snapshot.get("category"))),
            (field_label(Purchase, "item_class"), snapshot.get("item_class") or ""),
            (field_label(Purchase, "method"), choice_label(Purchase, "method", snapshot.get("method"))),
            (field_label(Purchase, "deviation_approval"), snapshot.get("deviation_approval") or ""),
            (field_label(Purchase, "single_source_reason"),
             choice_label(Purchase, "single_source_reason", snapshot.get("single_source_reason"))),
            (field_label(Purchase, "justification"), snapshot.get("justification") or ""),
            (field_label(Purchase, "publicity_start"), publicity[0]),
            (field_label(Purchase, "publicity_end"), publicity[1]),
            (field_label(Purchase, "publicity_place"), publicity[2]),
            (field_label(Purchase, "platform_number"), snapshot.get("platform_number") or ""),
        ]
        return rows


class AwardSection(CaseSection):
    key = Stage.AWARD
    label = gettext_lazy("Quotes and award")
    form_class = AwardSectionForm
    display_template = "procurement/_award_section.html"
    money = True

    def initial(self, case, user):
        p = _purchase(case)
        if p is None:
            return {}
        award = Award.objects.filter(purchase=p).first()
        return award_initial(award, list(p.quotes.all()))

    def save(self, case, form, actor):
        d = form.cleaned_data
        services.award_set(case=case, actor=actor, quotes=d["quotes"], winner=d.get("winner"), amount=d.get("amount"),
                           reason=d.get("reason") or "")

    def context(self, case, user):
        p = _purchase(case)
        if p is None:
            return {"purchase": None}
        award = Award.objects.select_related("supplier").filter(purchase=p).first()
        can_upload = case.applicant_id == user.pk and case.status in services.EDITABLE and case.stage_key == Stage.AWARD
        quotes = selectors.quotes_with_documents(p, history=True)
        if can_upload:  # the replace/remove buttons the owner's rule allows (no rule call for a reader)
            for q in quotes:
                document_registry.mark_allowed(user, q.documents, owner=q)
        return {"purchase": p, "quotes": quotes, "award": award, "can_upload": can_upload, "case": case}

    def stage_amount(self, case):
        award = Award.objects.filter(purchase__case=case).only("amount").first()
        return award.amount if award is not None else None

    def validate_submit(self, case, actor):
        return services.award_submit(case=case)

    def on_approved(self, case, actor):
        services.award_approved(case=case)

    def on_returned(self, case, actor):
        services.award_reopen(case=case)

    def on_rejected(self, case, actor):
        services.award_cancel(case=case)

    def on_withdrawn(self, case, actor):
        services.award_cancel(case=case)

    def snapshot(self, case):
        p = _purchase(case)
        if p is None:
            return None
        award = Award.objects.select_related("supplier").filter(purchase=p).first()
        return {
            "quotes": [[q.supplier_id, str(q.amount), str(q.quoted_on), q.supplier.name]
                       for q in p.quotes.select_related("supplier")],
            "award": {"supplier": award.supplier_id, "amount": str(award.amount), "status": award.status,
                      "supplier_name": award.supplier.name, "reason": award.reason} if award else None,
        }

    def describe(self, snapshot):
        def supplier(row_id, name):
            return name or f"#{row_id}"

        quotes = [f"{supplier(q[0], q[3] if len(q) > 3 else '')} {money_text(q[1])}（{q[2]}）"
                  for q in snapshot.get("quotes") or []]
        award = snapshot.get("award") or {}
        return [
            (str(Quote._meta.verbose_name_plural), "；".join(quotes)),
            (field_label(Award, "supplier"), supplier(award.get("supplier"), award.get("supplier_name")) if award else ""),
            (field_label(Award, "amount"), money_text(award.get("amount"))),
            (field_label(Award, "reason"), award.get("reason") or ""),
        ]


def purchase_url(purchase: Purchase) -> str:
    return reverse("procurement:purchase_detail", args=[purchase.pk])

