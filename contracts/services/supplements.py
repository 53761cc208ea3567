"""Writes of supplementary agreements (补充协议): amount and term changes under the contract
lock, within the 10 % of 政府采购法第四十九条.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import Case
from approvals.money import format_yuan
from core.stages import Stage
from core.transitions import transition_all

from ..exceptions import ContractError
from ..models import Contract, DocKind, PaymentTerm, Supplement
from ..selectors import contract_figures, term_claims
from .contracts import TERMS_RULE, ZERO, _has_document, _lock_contract, _require_editable, terms_normalise


# --- supplements ------------------------------------------------------------------------------------------
def _locked_terms(contract: Contract) -> tuple[list[PaymentTerm], list[PaymentTerm]]:
    """(kept, changeable): reached or claimed milestones are kept as they are."""
    claims = term_claims(contract)
    kept, changeable = [], []
    for t in contract.terms.filter(is_active=True).order_by("seq", "id"):
        (kept if t.reached_on is not None or t.pk in claims else changeable).append(t)
    return kept, changeable


def supplement_set(*, case: Case, actor, contract: Contract, direction: str, content: str, new_end_date=None,
                   terms: list[dict]) -> Supplement:
    """Save a supplementary agreement: the change amount is the case amount (increase or
    decrease); the new terms replace the milestones not reached or claimed yet and, with
    those kept, must add up to the new amount."""
    case = _require_editable(case, actor, "supplement", _("supplementary agreement"))
    if contract.status != Contract.Status.ACTIVE:
        raise ContractError(_("Only a contract in force can be supplemented."), code="contract_not_active")
    if contract.unit_id != case.unit_id:
        raise ContractError(_("The contract belongs to another unit."), code="other_unit")
    change = case.amount or ZERO
    if direction == Supplement.Direction.TERMS:
        change = ZERO
    elif change <= 0:
        raise ContractError(_("Give the amount of the change as the form's amount."), code="change_required")
    new_amount = contract.amount + change if direction == Supplement.Direction.INCREASE else contract.amount - change
    if new_amount <= 0:
        raise ContractError(_("The decrease is larger than the contract amount."), code="decrease_too_large")
    kept, _changeable = _locked_terms(contract)
    kept_total = sum((t.amount for t in kept), ZERO)
    rows = terms_normalise(amount=new_amount - kept_total, rows=terms) if new_amount - kept_total > 0 else []
    if new_amount - kept_total < 0:
        raise ContractError(
            _("The new amount %(new)s is below the milestones already reached or claimed (%(kept)s).")
            % {"new": format_yuan(new_amount), "kept": format_yuan(kept_total)}, code="below_kept",
        )
    with transaction.atomic():
        sup = Supplement.objects.select_for_update().filter(case=case).first() or Supplement(case=case)
        if sup.pk is not None and sup.status != Supplement.Status.DRAFT:
            sup.transition(Supplement.Status.DRAFT)  # re-opened (checked: an applied agreement stays applied)
        sup.contract = contract
        sup.direction = direction
        sup.old_amount = contract.amount
        sup.new_amount = new_amount
        sup.old_end_date = contract.end_date
        sup.new_end_date = new_end_date
        sup.content = (content or "").strip()
        sup.proposed_terms = [
            {**t, "amount": str(t["amount"]), "percent": str(t["percent"]) if t["percent"] is not None else None,
             "due_date": t["due_date"].isoformat() if t["due_date"] else None}
            for t in rows
        ]
        sup.save()
    return sup


def _supplement_rows(sup: Supplement) -> list[dict]:
    return [
        {**t, "amount": Decimal(t["amount"]), "percent": Decimal(t["percent"]) if t.get("percent") else None,
         "due_date": dt.date.fromisoformat(t["due_date"]) if t.get("due_date") else None}
        for t in sup.proposed_terms
    ]


def supplement_check(*, supplement: Supplement, contract: Contract) -> list[str]:
    """With ``contract`` locked: the agreement names its change and starts from the contract's
    current amount, never below what is paid or in approval. (Increases within 10% of the
    original amount are CON-03's, judged right after this on submission.)"""
    if not supplement.content:
        raise ContractError(_("Describe what the supplementary agreement changes."), code="content_required")
    if supplement.old_amount != contract.amount:
        raise ContractError(_("The contract amount changed since this agreement was drafted: save it again."), code="stale")
    # the increases together within 10% of the original amount (政府采购法第四十九条) is risk rule CON-03,
    # which the approvals engine runs on this submission (blocking by default) and the scan runs nightly
    fig = contract_figures(contract)
    if supplement.new_amount < fig.paid + fig.in_flight:
        raise ContractError(
            _("The new amount %(new)s is below what is paid or in approval (%(held)s).")
            % {"new": format_yuan(supplement.new_amount), "held": format_yuan(fig.paid + fig.in_flight)}, code="below_paid",
        )
    kept, _changeable = _locked_terms(contract)
    total = sum((t.amount for t in kept), ZERO) + sum((Decimal(t["amount"]) for t in supplement.proposed_terms), ZERO)
    if total != supplement.new_amount:
        raise ContractError(
            _("The payment terms add up to %(total)s but the new contract amount is %(amount)s: %(rule)s.")
            % {"total": format_yuan(total), "amount": format_yuan(supplement.new_amount), "rule": TERMS_RULE}, code="terms_sum",
        )
    if not _has_document(supplement, DocKind.SUPPLEMENT_TEXT, case=supplement.case, attachment_kind="补充协议文本"):
        raise ContractError(_("Upload the text of the supplementary agreement."), code="supplement_text_missing")
    # the number of changes on one contract (CON-04 变更过多) is a risk rule, judged on submission
    return []


def supplement_submit(*, case: Case) -> list[str]:
    with transaction.atomic():
        sup = Supplement.objects.select_for_update().filter(case=case).first()
        if sup is None:
            raise ContractError(_("Fill in the supplementary agreement before submitting."), code="no_supplement")
        contract = _lock_contract(sup.contract_id)
        if contract.status != Contract.Status.ACTIVE:
            raise ContractError(_("Only a contract in force can be supplemented."), code="contract_not_active")
        warnings = supplement_check(supplement=sup, contract=contract)
        sup.transition(Supplement.Status.IN_APPROVAL)
        return warnings


def supplement_approved(*, case: Case, actor) -> None:
    """In force: the amount, end date and open milestones change, and the budget commitment
    follows the change of amount."""
    from budget import services as budget_services

    with transaction.atomic():
        sup = Supplement.objects.select_for_update().filter(case=case).first()
        if sup is None or sup.status != Supplement.Status.IN_APPROVAL:
            return
        contract = _lock_contract(sup.contract_id)
        supplement_check(supplement=sup, contract=contract)
        _kept, changeable = _locked_terms(contract)
        PaymentTerm.objects.filter(pk__in=[t.pk for t in changeable]).update(is_active=False, replaced_by=sup)
        start = (contract.terms.aggregate(m=Max("seq"))["m"] or 0) + 1
        PaymentTerm.objects.bulk_create([
            PaymentTerm(contract=contract, supplement=sup, **{**t, "seq": start + i})
            for i, t in enumerate(_supplement_rows(sup))
        ])
        change = sup.new_amount - contract.amount
        seq = Supplement.objects.filter(contract=contract, status=Supplement.Status.APPLIED).count() + 1
        contract.amount = sup.new_amount
        if sup.new_end_date:
            contract.end_date = max(sup.new_end_date, contract.start_date)
        contract.save(update_fields=["amount", "end_date", "updated_at"])
        sup.transition(Supplement.Status.APPLIED, seq=seq, applied_at=timezone.now())
        if contract.budget_line_id and change > 0:
            budget_services.budget_commit(
                line=contract.budget_line, amount=change, source=contract, case=case, actor=actor,
                note=_("Supplement %(n)d of contract %(number)s") % {"n": seq, "number": contract.number},
            )
        elif contract.budget_line_id and change < 0:
            budget_services.budget_commit_release(
                source=contract, actor=actor, amount=-change,
                note=_("Supplement %(n)d of contract %(number)s") % {"n": seq, "number": contract.number},
            )
        if contract.status == Contract.Status.ACTIVE and contract_figures(contract).paid == contract.amount:
            contract.transition(Contract.Status.COMPLETED, completed_at=timezone.now())


def supplement_reopen(*, case: Case) -> None:
    transition_all(Supplement.objects.filter(case=case, status=Supplement.Status.IN_APPROVAL), Supplement.Status.DRAFT)


def supplement_cancel(*, case: Case) -> None:
    transition_all(Supplement.objects.filter(case=case, status__in=[Supplement.Status.DRAFT, Supplement.Status.IN_APPROVAL]),
                   Supplement.Status.CANCELLED)


def supplement_start(*, contract: Contract, actor) -> Case:
    from approvals import services as approval_services
    from approvals.models import Matter

    if contract.status != Contract.Status.ACTIVE:
        raise ContractError(_("Only a contract in force can be supplemented."), code="contract_not_active")
    if actor.unit_id != contract.unit_id:
        raise ContractError(_("Supplementary agreements are applied for by the contract's unit."), code="other_unit")
    matter = Matter.objects.filter(code=SUPPLEMENT_MATTER, is_active=True).first()
    if matter is None or Stage.SUPPLEMENT not in matter.stages:
        raise ContractError(_("The supplementary-agreement matter is not configured; ask the administrator."), code="no_matter")
    with transaction.atomic():
        case = approval_services.case_create(
            matter=matter, applicant=actor, amount=None,
            title=_("Supplementary agreement: %(title)s") % {"title": contract.title},
            reason=_("Contract %(number)s with %(supplier)s.") % {"number": contract.number, "supplier": contract.supplier.name},
        )
        _kept, changeable = _locked_terms(contract)
        Supplement.objects.create(
            case=case, contract=contract, direction=Supplement.Direction.TERMS, old_amount=contract.amount,
            new_amount=contract.amount, old_end_date=contract.end_date, content="",
            proposed_terms=[{"seq": t.seq, "kind": t.kind, "name": t.name, "percent": str(t.percent) if t.percent else None,
                             "amount": str(t.amount), "trigger": t.trigger,
                             "due_date": t.due_date.isoformat() if t.due_date else None} for t in changeable],
        )
    return case


SUPPLEMENT_MATTER = "HT-BC"
