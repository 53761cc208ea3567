"""Writes of acceptance (验收): the acceptance section, its members and the milestones it reaches.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.models import Case
from core import events
from core.transitions import transition_all

from ..exceptions import ContractError
from ..models import Acceptance, Contract, DocKind, PaymentTerm
from .contracts import _has_document, _lock_contract, _require_editable


# --- acceptance -----------------------------------------------------------------------------------------
ACCEPTANCE_RULE = gettext_lazy("at least two people, at least one from outside the requesting unit (验收与申请相分离)")


def _acceptance_contract(case: Case, contract: Contract | None) -> Contract:
    own = Contract.objects.filter(case=case).first()
    contract = own or contract
    if contract is None:
        raise ContractError(_("Choose the contract that is accepted."), code="contract_required")
    if contract.status != Contract.Status.ACTIVE:
        raise ContractError(_("Only a contract in force can be accepted."), code="contract_not_active")
    if contract.unit_id != case.unit_id:
        raise ContractError(_("The contract belongs to another unit."), code="other_unit")
    return contract


def _check_members(contract: Contract, members) -> None:
    members = list(members)
    outside = [m for m in members if m.unit_id != contract.unit_id]
    if len(members) < 2 or not outside:
        raise ContractError(
            _("Acceptance refused: the team has %(n)d people, %(outside)d from outside %(unit)s; the rule is %(rule)s.")
            % {"n": len(members), "outside": len(outside), "unit": contract.unit.name, "rule": ACCEPTANCE_RULE},
            code="acceptance_team",
        )


def acceptance_set(*, case: Case, actor, accepted_on: dt.date, result: str, opinion: str, members, terms,
                   contract: Contract | None = None) -> Acceptance:
    case = _require_editable(case, actor, "acceptance", _("acceptance"))
    contract = _acceptance_contract(case, contract)
    members = list(members)
    terms = list(terms)
    _check_members(contract, members)
    bad = [t for t in terms if t.contract_id != contract.pk or not t.is_active or t.reached_on is not None]
    if bad:
        raise ContractError(_("Only milestones of this contract that are not reached yet can be unlocked."), code="bad_terms")
    if result == Acceptance.Result.FAILED and terms:
        raise ContractError(_("A failed acceptance unlocks no milestone."), code="failed_unlocks")
    with transaction.atomic():
        acc = Acceptance.objects.select_for_update().filter(case=case).first() or Acceptance(case=case)
        if acc.pk is not None and acc.status != Acceptance.Status.DRAFT:
            acc.transition(Acceptance.Status.DRAFT)  # re-opened (checked: a confirmed acceptance stays confirmed)
        acc.contract = contract
        acc.accepted_on = accepted_on
        acc.result = result
        acc.opinion = opinion or ""
        acc.save()
        acc.members.set(members)
        acc.terms.set(terms)
    return acc


def acceptance_check(*, acceptance: Acceptance, on: dt.date | None = None) -> list[str]:
    on = on or timezone.localdate()
    contract = acceptance.contract
    if contract.status != Contract.Status.ACTIVE:
        raise ContractError(_("Only a contract in force can be accepted."), code="contract_not_active")
    _check_members(contract, acceptance.members.select_related("unit"))
    if acceptance.accepted_on > on:
        raise ContractError(_("The acceptance date cannot be in the future."), code="acceptance_future")
    if acceptance.accepted_on < contract.signed_on:
        raise ContractError(_("The acceptance date is before the contract was signed."), code="acceptance_before_signing")
    if not _has_document(acceptance, DocKind.ACCEPTANCE_REPORT, case=acceptance.case, attachment_kind="验收报告"):
        raise ContractError(_("Upload the acceptance report signed by the team."), code="report_missing")
    warnings = []
    if acceptance.result == Acceptance.Result.PASSED and not acceptance.terms.exists():
        warnings.append(_("The acceptance unlocks no payment milestone."))
    return warnings


def acceptance_submit(*, case: Case) -> list[str]:
    with transaction.atomic():
        acc = Acceptance.objects.select_for_update().select_related("contract__unit").filter(case=case).first()
        if acc is None:
            raise ContractError(_("Fill in the acceptance before submitting."), code="no_acceptance")
        _lock_contract(acc.contract_id)
        warnings = acceptance_check(acceptance=acc)
        acc.transition(Acceptance.Status.IN_APPROVAL)
        return warnings


def acceptance_approved(*, case: Case) -> None:
    """Confirmed: a passed acceptance reaches the milestones it names (on its date)."""
    with transaction.atomic():
        acc = Acceptance.objects.select_for_update().filter(case=case).first()
        if acc is None or acc.status != Acceptance.Status.IN_APPROVAL:
            return
        _lock_contract(acc.contract_id)
        acc.transition(Acceptance.Status.CONFIRMED, confirmed_at=timezone.now())
        events.emit("acceptance.confirmed", acceptance_id=acc.pk, contract_id=acc.contract_id, case_id=case.pk)
        if acc.result == Acceptance.Result.PASSED:
            PaymentTerm.objects.filter(pk__in=acc.terms.values("pk"), is_active=True, reached_on__isnull=True).update(
                reached_on=acc.accepted_on, acceptance=acc
            )


def acceptance_reopen(*, case: Case) -> None:
    transition_all(Acceptance.objects.filter(case=case, status=Acceptance.Status.IN_APPROVAL), Acceptance.Status.DRAFT)


def acceptance_cancel(*, case: Case) -> None:
    transition_all(Acceptance.objects.filter(case=case, status__in=[Acceptance.Status.DRAFT, Acceptance.Status.IN_APPROVAL]),
                   Acceptance.Status.CANCELLED)
