"""Writes of purchases: the method (采购方式) and its thresholds, quotes and the award.

The purchase and award functions are called by the case sections inside the case
transition's transaction; each raises ``ProcurementError`` with a message that names the rule.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import Case
from approvals.money import format_yuan, round_money
from core import workcalendar
from core.transitions import transition_all
from documents import services as document_services

from .. import methods, selectors
from ..exceptions import ProcurementError
from ..methods import TIER, Method
from ..models import Award, Purchase, Quote, Supplier, Threshold
from .suppliers import _messages, supplier_check_usable


EDITABLE = (Case.Status.DRAFT, Case.Status.RETURNED)
SINGLE_SOURCE_RULE = "政府采购法第三十一条、政府采购法实施条例第三十八条"
PUBLICITY_WORKING_DAYS = 5


def _fresh(case: Case) -> Case:
    """The case as it is now (the caller's copy may be stale)."""
    return Case.objects.select_related("matter", "unit").get(pk=case.pk)


# --- thresholds -----------------------------------------------------------------------------------
def threshold_save(*, threshold: Threshold) -> Threshold:
    try:
        threshold.full_clean()
    except ValidationError as exc:
        raise ProcurementError(_messages(exc)) from None
    threshold.save()
    return threshold


# --- purchase (method) --------------------------------------------------------------------------------
def purchase_set(*, case: Case, actor, category: str, item_class: str, method: str, deviation_approval: str = "",
                 single_source_reason: str = "", justification: str = "", publicity_start=None, publicity_end=None,
                 publicity_place: str = "", platform_number: str = "") -> Purchase:
    """Save the purchase section while the applicant fills it (no rule is enforced yet:
    the rules run on submission, so a draft can be saved half-done)."""
    case = _fresh(case)
    if case.applicant_id != actor.pk or case.status not in EDITABLE:
        raise ProcurementError(_("The purchase can only be changed by the applicant before submission or after a return."))
    if method not in Method.values:
        raise ProcurementError(_("Choose the procurement method."))
    with transaction.atomic():
        purchase = Purchase.objects.select_for_update().filter(case=case).first() or Purchase(case=case, unit=case.unit)
        if purchase.pk is not None and purchase.status != Purchase.Status.DRAFT:
            purchase.transition(Purchase.Status.DRAFT)  # re-opened (checked: an approved method stays approved)
        purchase.unit = case.unit
        purchase.category = category
        purchase.item_class = (item_class or "").strip()[:60]
        purchase.method = method
        purchase.deviation_approval = (deviation_approval or "").strip()[:100]
        purchase.single_source_reason = single_source_reason or ""
        purchase.justification = (justification or "").strip()
        purchase.publicity_start = publicity_start
        purchase.publicity_end = publicity_end
        purchase.publicity_place = (publicity_place or "").strip()[:100]
        purchase.platform_number = (platform_number or "").strip()[:60]
        if case.amount is not None:
            req = selectors.method_requirement(amount=case.amount, category=category)
            purchase.proposed_method = req.proposed
            purchase.rule = req.rule[:300]
        purchase.save()
    return purchase


def purchase_check(*, purchase: Purchase, on: dt.date | None = None) -> list[str]:
    """The method rules. Raises for a method below what the amount requires (without the
    recorded approval where the law allows one), for 询价 outside goods, and for single
    source without justification and publicity. Returns no warnings of its own: the tunable
    checks (PRO-01 split purchases, PRO-02 amounts just below a threshold) are risk rules, run on
    submission by the approvals engine with the parameters the administrator set."""
    on = on or timezone.localdate()
    case = purchase.case
    amount = case.amount
    if amount is None:
        raise ProcurementError(_("A purchase needs its estimated amount."))
    if not purchase.item_class:
        raise ProcurementError(_("Say what is bought (item class): it is how split purchases are detected (PRO-01)."))
    req = selectors.method_requirement(amount=amount, category=purchase.category, on=on)
    method = Method(purchase.method)
    params = {
        "amount": format_yuan(amount), "category": purchase.get_category_display(), "rule": req.rule,
        "method": method.label, "proposed": req.proposed.label,
    }
    if TIER[method] < req.tier:
        if req.deviation_allowed and TIER[method] >= 2 and purchase.deviation_approval:
            pass  # another method above the open-tender threshold, with the recorded approval
        elif req.deviation_allowed and TIER[method] >= 2:
            raise ProcurementError(
                _("Procurement method refused: %(amount)s of %(category)s reaches the %(rule)s, so the method is open tender. "
                  "%(method)s needs the finance department's prior approval: record its document number "
                  "(政府采购法第二十七条, PRO-03).") % params,
                code="method_below_requirement",
            )
        else:
            raise ProcurementError(
                _("Procurement method refused: %(amount)s of %(category)s reaches the %(rule)s and requires %(proposed)s "
                  "or a more competitive method; %(method)s is below what the amount requires (PRO-03).") % params,
                code="method_below_requirement",
            )
    if method == Method.INQUIRY and purchase.category != "goods":
        raise ProcurementError(
            _("Request for quotations is only for goods of uniform standard (政府采购法第三十二条); choose another method for %(category)s.")
            % params,
            code="inquiry_goods_only",
        )
    if method == Method.SINGLE_SOURCE:
        _check_single_source(purchase)
    # split purchases (PRO-01) and amounts just below a threshold (PRO-02) are judged by their risk
    # rules (procurement/rules.py) on every submission, with the administrator's parameters
    return []


def _check_single_source(purchase: Purchase) -> None:
    missing = []
    if not purchase.single_source_reason:
        missing.append(_("the legal ground"))
    if len(purchase.justification.strip()) < 10:
        missing.append(_("the justification (论证意见, at least a sentence)"))
    if not (purchase.publicity_start and purchase.publicity_end and purchase.publicity_place):
        missing.append(_("the publicity (dates and where it was published)"))
    elif purchase.publicity_end < purchase.publicity_start:
        missing.append(_("a publicity period that ends after it starts"))
    elif workcalendar.workdays_between(purchase.publicity_start, purchase.publicity_end) < PUBLICITY_WORKING_DAYS:
        missing.append(_("a publicity period of at least %(n)d working days") % {"n": PUBLICITY_WORKING_DAYS})
    if missing:
        raise ProcurementError(
            _("Single-source procurement refused: it needs %(missing)s (%(rule)s, PRO-04).")
            % {"missing": "、".join(str(m) for m in missing), "rule": SINGLE_SOURCE_RULE},
            code="single_source_unjustified",
        )


def purchase_submit(*, case: Case) -> list[str]:
    with transaction.atomic():
        purchase = Purchase.objects.select_for_update().select_related("case").filter(case=case).first()
        if purchase is None:
            raise ProcurementError(_("Fill in the purchase (category and method) before submitting."))
        warnings = purchase_check(purchase=purchase)
        req = selectors.method_requirement(amount=case.amount, category=purchase.category)
        purchase.proposed_method = req.proposed
        purchase.rule = req.rule[:300]
        purchase.transition(Purchase.Status.IN_APPROVAL, fields=["proposed_method", "rule"])
        return warnings


# The hooks below run for every earlier stage of the case too (a return at the award stage calls
# ``purchase_reopen``): a purchase outside the filtered statuses is left as it is.
def purchase_approved(*, case: Case) -> None:
    transition_all(Purchase.objects.filter(case=case, status=Purchase.Status.IN_APPROVAL), Purchase.Status.METHOD_APPROVED,
                   method_approved_at=timezone.now())


def purchase_reopen(*, case: Case) -> None:
    transition_all(Purchase.objects.filter(case=case, status=Purchase.Status.IN_APPROVAL), Purchase.Status.DRAFT)


def purchase_cancel(*, case: Case) -> None:
    """The case ended (rejected or withdrawn): a purchase not yet awarded is cancelled; an
    awarded one keeps its history but can go no further."""
    transition_all(
        Purchase.objects.filter(case=case, status__in=[Purchase.Status.DRAFT, Purchase.Status.IN_APPROVAL,
                                                       Purchase.Status.METHOD_APPROVED]),
        Purchase.Status.CANCELLED,
    )


# --- quotes and award --------------------------------------------------------------------------------------
def _purchase_of(case: Case) -> Purchase:
    purchase = Purchase.objects.select_for_update().filter(case=case).first()
    if purchase is None:
        raise ProcurementError(_("This case has no approved purchase."))
    return purchase


def award_set(*, case: Case, actor, quotes: list[dict], winner: Supplier | None, amount, reason: str) -> Award:
    """Save the quotes (keyed by supplier: a changed row updates, a removed one goes with
    its document) and the award draft."""
    case = _fresh(case)
    if case.applicant_id != actor.pk or case.status not in EDITABLE:
        raise ProcurementError(_("The quotes and award can only be changed by the applicant before submission or after a return."))
    seen = set()
    for row in quotes:
        if row["supplier"].pk in seen:
            raise ProcurementError(
                _("%(supplier)s is listed twice: one quote per supplier.") % {"supplier": row["supplier"].name}, code="duplicate_quote"
            )
        seen.add(row["supplier"].pk)
    with transaction.atomic():
        purchase = _purchase_of(case)
        existing = {q.supplier_id: q for q in purchase.quotes.select_for_update()}
        for row in quotes:
            q = existing.pop(row["supplier"].pk, None) or Quote(purchase=purchase, supplier=row["supplier"])
            q.amount = round_money(row["amount"])
            q.quoted_on = row["quoted_on"]
            q.note = (row.get("note") or "")[:200]
            q.save()
        award = Award.objects.select_for_update().filter(purchase=purchase).first()
        for q in existing.values():
            document_services.remove_all(q)
            if award is not None and award.quote_id == q.pk:
                award.quote = None
            q.delete()
        if winner is None:
            if award is not None:
                award.delete()
            return None
        win_quote = purchase.quotes.filter(supplier=winner).first()
        award = award or Award(purchase=purchase)
        award.supplier = winner
        award.quote = win_quote
        award.amount = round_money(amount) if amount is not None else (win_quote.amount if win_quote else None)
        award.reason = (reason or "").strip()
        if award.amount is None:
            raise ProcurementError(_("Give the award amount."))
        if award.pk is not None and award.status != Award.Status.DRAFT:
            award.transition(Award.Status.DRAFT, fields=["supplier", "quote", "amount", "reason"])  # re-opened (checked)
        else:
            award.save()
        return award


def award_check(*, award: Award, on: dt.date | None = None) -> list[str]:
    on = on or timezone.localdate()
    purchase = award.purchase
    case = purchase.case
    method = Method(purchase.method)
    quotes = selectors.quotes_with_documents(purchase)
    valid = [q for q in quotes if q.documents]
    need = methods.MIN_QUOTES[method]
    if len(valid) < need:
        raise ProcurementError(
            _("%(method)s needs at least %(n)d valid quotes, each with supplier, price, date and the quotation document; "
              "%(have)d have their document (%(rule)s, PRO-05).")
            % {"method": method.label, "n": need, "have": len(valid), "rule": methods.quotes_rule(method)},
            code="too_few_quotes",
        )
    win = next((q for q in quotes if q.supplier_id == award.supplier_id), None)
    if win is None:
        raise ProcurementError(_("The winning supplier must be one of those who quoted."), code="winner_not_quoted")
    supplier_check_usable(award.supplier, on=on, what=_("award"))
    if not award.reason.strip():
        raise ProcurementError(_("Give the reason for the award (e.g. lowest price meeting the requirements)."), code="reason_required")
    if award.amount > win.amount:
        raise ProcurementError(
            _("The award amount %(award)s is above the winner's own quote %(quote)s.")
            % {"award": format_yuan(award.amount), "quote": format_yuan(win.amount)},
            code="award_above_quote",
        )
    if case.amount is not None and award.amount > case.amount:
        raise ProcurementError(
            _("The award amount %(award)s exceeds the purchase budget %(budget)s approved for this case: a quote above the "
              "budget cannot win (政府采购法实施条例 / 采购预算控制).") % {"award": format_yuan(award.amount), "budget": format_yuan(case.amount)},
            code="award_above_budget",
        )
    # identical quotes and suppliers sharing contacts (PRO-06) are judged by the risk rule on
    # submission, with the administrator's settings
    return []


def award_submit(*, case: Case) -> list[str]:
    with transaction.atomic():
        purchase = _purchase_of(case)
        if purchase.status not in (Purchase.Status.METHOD_APPROVED, Purchase.Status.AWARDED):
            raise ProcurementError(_("The procurement method must be approved before the award."))
        award = Award.objects.select_for_update().select_related("supplier", "purchase__case").filter(purchase=purchase).first()
        if award is None:
            raise ProcurementError(_("Record the quotes and choose the winning supplier before submitting."), code="no_award")
        warnings = award_check(award=award)
        award.transition(Award.Status.IN_APPROVAL)
        return warnings


def award_approved(*, case: Case) -> None:
    """Approved: the award is made and published internally (信息内部公开)."""
    with transaction.atomic():
        purchase = _purchase_of(case)
        award = Award.objects.select_for_update().filter(purchase=purchase).first()
        if award is None or award.status != Award.Status.IN_APPROVAL:
            return
        award.transition(Award.Status.AWARDED, awarded_on=timezone.localdate(), published_at=timezone.now())
        purchase.transition(Purchase.Status.AWARDED)


def award_reopen(*, case: Case) -> None:
    with transaction.atomic():
        purchase = Purchase.objects.filter(case=case).first()
        if purchase is None:
            return
        transition_all(Award.objects.filter(purchase=purchase, status=Award.Status.IN_APPROVAL), Award.Status.DRAFT)


def award_cancel(*, case: Case) -> None:
    with transaction.atomic():
        purchase = Purchase.objects.filter(case=case).first()
        if purchase is None:
            return
        transition_all(Award.objects.filter(purchase=purchase, status__in=[Award.Status.DRAFT, Award.Status.IN_APPROVAL]),
                       Award.Status.CANCELLED)
        transition_all(Purchase.objects.filter(pk=purchase.pk, status=Purchase.Status.METHOD_APPROVED),
                       Purchase.Status.CANCELLED)
