"""Writes of contracts: the contract and its payment terms, and the helpers every contract
record shares (the editable-stage check, the contract row lock, the contract number).

Money rules are read-check-write under a row lock on the contract
(``Contract.objects.select_for_update()``): two payments of the same contract, or a payment
and a supplement, are checked one after the other, each seeing what the other committed.
Every function is keyword-only and raises ``ContractError`` with a message naming the rule.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.models import Case
from approvals.money import format_yuan, round_money
from core import events, sequences
from core.transitions import transition_all
from documents.selectors import documents_of
from procurement import selectors as procurement_selectors
from procurement.models import Award, Purchase, Supplier
from procurement.services import supplier_check_usable

from ..exceptions import ContractError
from ..models import Contract, ContractCategory, DocKind, Payment, PaymentTerm


EDITABLE = (Case.Status.DRAFT, Case.Status.RETURNED)
ZERO = Decimal("0.00")
T = PaymentTerm.Trigger
PS = Payment.Status

TERMS_RULE = gettext_lazy("payment terms must add up to the contract amount")


def _require_editable(case: Case, actor, stage_key: str, what: str) -> Case:
    """The case as it is now, if ``actor`` may fill its ``stage_key`` stage."""
    case = Case.objects.select_related("matter", "unit").get(pk=case.pk)
    if case.applicant_id != actor.pk or case.status not in EDITABLE or case.stage_key != stage_key:
        raise ContractError(
            _("The %(what)s can only be changed by the applicant while this stage is filled (before submission or after a return).")
            % {"what": what}
        )
    return case


def _lock_contract(contract_id: int) -> Contract:
    return Contract.objects.select_for_update(of=("self",)).select_related("supplier", "unit").get(pk=contract_id)


def next_contract_number(year: int) -> str:
    """HT-2026-0042: per year, from ``core.sequences`` (row lock, no gaps)."""
    return f"HT-{year}-{sequences.next_number('contract', year):04d}"


def _has_document(owner, kind: str, *, case: Case, attachment_kind: str) -> bool:
    """The file is attached to the record, or to its case when the matter asks for it as a
    required attachment of the form (a one-stage matter such as 补充协议)."""
    if documents_of(owner, kind).exists():
        return True
    return case.attachments.filter(kind=attachment_kind).exists()


# --- payment terms ---------------------------------------------------------------------------------
def terms_normalise(*, amount: Decimal, rows: list[dict]) -> list[dict]:
    """Rows of the form → terms with their amounts. A row gives a percent, an amount, or both
    (they must agree to the fen); a date trigger and retention money need the date. Raises
    unless the terms add up to ``amount`` exactly."""
    if amount is None or amount <= 0:
        raise ContractError(_("Give the contract amount."))
    if not rows:
        raise ContractError(_("Give the payment terms (at least one milestone): %(rule)s.") % {"rule": TERMS_RULE}, code="terms_missing")
    out = []
    for seq, row in enumerate(rows, start=1):
        n = row.get("_row", seq)
        percent, value = row.get("percent"), row.get("amount")
        if percent is None and value is None:
            raise ContractError(_("Payment term %(n)d: give a percent or an amount.") % {"n": n}, code="term_incomplete")
        computed = round_money(amount * percent / 100) if percent is not None else None
        if value is not None and computed is not None and abs(round_money(value) - computed) > Decimal("0.01"):
            raise ContractError(
                _("Payment term %(n)d: %(percent)s%% of %(amount)s is %(computed)s, not %(value)s.")
                % {"n": n, "percent": percent, "amount": format_yuan(amount), "computed": format_yuan(computed), "value": format_yuan(value)},
                code="term_percent_mismatch",
            )
        term_amount = round_money(value) if value is not None else computed
        if term_amount <= 0:
            raise ContractError(_("Payment term %(n)d: the amount must be greater than zero.") % {"n": n})
        kind, trigger, due = row.get("kind"), row.get("trigger"), row.get("due_date")
        if kind == PaymentTerm.Kind.RETENTION and (trigger != T.DATE or not due):
            raise ContractError(
                _("Payment term %(n)d: retention money is held until its release date: choose the date trigger and give the date.")
                % {"n": n}, code="retention_date",
            )
        if trigger == T.DATE and not due:
            raise ContractError(_("Payment term %(n)d: a date trigger needs the due date.") % {"n": n}, code="term_date_missing")
        out.append({"seq": seq, "kind": kind, "name": (row.get("name") or "")[:100], "percent": percent,
                    "amount": term_amount, "trigger": trigger, "due_date": due})
    total = sum((t["amount"] for t in out), ZERO)
    if total != amount:
        raise ContractError(
            _("The payment terms add up to %(total)s but the contract amount is %(amount)s (a difference of %(diff)s): %(rule)s.")
            % {"total": format_yuan(total), "amount": format_yuan(amount), "diff": format_yuan(amount - total), "rule": TERMS_RULE},
            code="terms_sum",
        )
    return out


# --- contract (section "contract") --------------------------------------------------------------------
def _award_of(case: Case) -> Award | None:
    purchase = Purchase.objects.filter(case=case).first()
    if purchase is None:
        return None
    return Award.objects.select_related("supplier", "purchase").filter(purchase=purchase, status=Award.Status.AWARDED).first()


def _case_line(case: Case):
    from budget.models import CaseBudget

    link = CaseBudget.objects.select_related("line").filter(case=case).first()
    return link.line if link else None


def contract_set(*, case: Case, actor, title: str, category: str, amount: Decimal, signed_on: dt.date, start_date: dt.date,
                 end_date: dt.date, summary: str = "", terms: list[dict], supplier: Supplier | None = None) -> Contract:
    """Save the contract section. From an award the supplier is the award's and cannot be
    changed; a direct contract names its supplier. The payment terms must add up to the
    amount, or nothing is saved."""
    case = _require_editable(case, actor, "contract", _("contract"))
    if end_date < start_date:
        raise ContractError(_("The contract term ends before it starts."), code="term_dates")
    amount = round_money(amount)
    normalised = terms_normalise(amount=amount, rows=terms)
    award = _award_of(case)
    if award is not None:
        supplier = award.supplier
        category = award.purchase.category
    elif supplier is None:
        raise ContractError(_("Choose the supplier (the other party) of the contract."), code="supplier_required")
    with transaction.atomic():
        contract = Contract.objects.select_for_update().filter(case=case).first()
        if contract is None:
            contract = Contract(case=case, number=next_contract_number(signed_on.year if signed_on else case.year))
        elif contract.status != Contract.Status.DRAFT:
            contract.transition(Contract.Status.DRAFT)  # re-opened (checked: a contract in force stays in force)
        contract.unit = case.unit
        contract.award = award
        contract.purchase = award.purchase if award else None
        contract.supplier = supplier
        contract.budget_line = _case_line(case)
        contract.title = (title or case.title).strip()[:200]
        contract.category = category
        contract.amount = amount
        contract.original_amount = amount
        contract.signed_on = signed_on
        contract.start_date = start_date
        contract.end_date = end_date
        contract.summary = summary or ""
        contract.save()
        contract.terms.all().delete()
        PaymentTerm.objects.bulk_create([PaymentTerm(contract=contract, **t) for t in normalised])
    return contract


def contract_check(*, contract: Contract, on: dt.date | None = None) -> list[str]:
    on = on or timezone.localdate()
    warnings = []
    supplier_check_usable(contract.supplier, on=on, what=_("contract"))
    terms = list(contract.terms.filter(is_active=True).order_by("seq"))
    terms_normalise(amount=contract.amount, rows=[
        {"_row": t.seq, "kind": t.kind, "name": t.name, "percent": None, "amount": t.amount, "trigger": t.trigger, "due_date": t.due_date}
        for t in terms
    ])
    if contract.award_id:
        award = contract.award
        if contract.amount > award.amount:
            raise ContractError(
                _("The contract amount %(amount)s is above the award %(award)s: a contract may not exceed the amount awarded "
                  "(合同金额不得超过成交金额, CON-09).") % {"amount": format_yuan(contract.amount), "award": format_yuan(award.amount)},
                code="contract_above_award",
            )
    elif contract.category in (ContractCategory.GOODS, ContractCategory.SERVICES, ContractCategory.WORKS):
        limit = procurement_selectors.threshold_amount("small_purchase", category=contract.category, on=on)
        if limit is not None and contract.amount >= limit:
            raise ContractError(
                _("A contract of %(amount)s for %(category)s reaches the office's small-purchase limit %(limit)s: it must come "
                  "from a purchase and its award (采购申请), not be signed directly.")
                % {"amount": format_yuan(contract.amount), "category": contract.get_category_display(), "limit": format_yuan(limit)},
                code="direct_contract_above_limit",
            )
    if not _has_document(contract, DocKind.CONTRACT_TEXT, case=contract.case, attachment_kind="合同文本"):
        raise ContractError(_("Upload the contract text for the legal and finance countersign."), code="contract_text_missing")
    # a contract below its award by more than the share (CON-09) and retention above its share of a
    # works contract (CON-08) are judged by their risk rules on submission, with the administrator's
    # parameters; the limits that never move (above the award, terms adding up) are refused here
    if contract.budget_line_id is None:
        warnings.append(_("The contract has no budget line: nothing will be committed or executed on the budget."))
    return warnings


def contract_submit(*, case: Case) -> list[str]:
    with transaction.atomic():
        contract = Contract.objects.select_for_update(of=("self",)).select_related("supplier", "award", "unit").filter(case=case).first()
        if contract is None:
            raise ContractError(_("Fill in the contract and its payment terms before submitting."), code="no_contract")
        warnings = contract_check(contract=contract)
        contract.transition(Contract.Status.IN_APPROVAL)
        return warnings


def contract_approved(*, case: Case, actor) -> Contract | None:
    """Countersigned: the contract is in force, its signing milestones are reached and the
    budget line is committed (the case's reservation converts into the commitment; what the
    contract does not use is released)."""
    from budget import services as budget_services

    with transaction.atomic():
        contract = Contract.objects.select_for_update().filter(case=case).first()
        if contract is None or contract.status != Contract.Status.IN_APPROVAL:
            return contract
        # in force from the signing date (never a future one: a countersigned draft dated ahead is in force today)
        today = min(contract.signed_on, timezone.localdate())
        contract.transition(Contract.Status.ACTIVE, activated_at=timezone.now())
        contract.terms.filter(is_active=True, trigger=T.SIGNING, reached_on__isnull=True).update(reached_on=today)
        events.emit("contract.signed", contract_id=contract.pk, case_id=case.pk)
        if contract.budget_line_id:
            budget_services.budget_commit(
                line=contract.budget_line, amount=contract.amount, source=contract, case=case, actor=actor,
                note=_("Contract %(number)s") % {"number": contract.number}, occurred_on=today,
            )
            budget_services.case_budget_release(
                case=case, actor=actor, note=_("Released: the contract %(number)s did not use it") % {"number": contract.number}
            )
        return contract


# The hooks below run for the later stages of the case too (a return at the acceptance stage
# calls ``contract_reopen``): a contract outside the filtered statuses is left as it is.
def contract_reopen(*, case: Case) -> None:
    transition_all(Contract.objects.filter(case=case, status=Contract.Status.IN_APPROVAL), Contract.Status.DRAFT)


def contract_cancel(*, case: Case) -> None:
    transition_all(Contract.objects.filter(case=case, status__in=[Contract.Status.DRAFT, Contract.Status.IN_APPROVAL]),
                   Contract.Status.CANCELLED)
