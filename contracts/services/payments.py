"""Writes of contract payments: the payment section and its money rules (under the contract
lock), the cashier's payment through the payment desk, and 申请付款 from the contract page.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import Case
from approvals.money import format_yuan, round_money
from core.stages import Stage
from core.transitions import transition_all
from payments import services as payments_services
from payments.exceptions import PaymentError
from payments.models import PayeeKind

from ..exceptions import ContractError
from ..models import Contract, Payment, PaymentTerm
from ..selectors import contract_figures, next_due_term, term_claims
from .contracts import PS, ZERO, _lock_contract, _require_editable


# --- payments ----------------------------------------------------------------------------------------------
def payment_set(*, case: Case, actor, term: PaymentTerm, invoice_number: str, invoice_date, invoice_amount, note: str = "") -> Payment:
    """Save the payment section (a draft: the money rules run on submission)."""
    case = _require_editable(case, actor, "payment", _("payment"))
    contract = term.contract
    if contract.unit_id != case.unit_id:
        raise ContractError(_("The contract belongs to another unit."), code="other_unit")
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(case=case).first() or Payment(case=case)
        if payment.pk is not None and payment.status != PS.DRAFT:
            payment.transition(PS.DRAFT)  # re-opened after a return (checked: an approved payment stays approved)
        payment.contract = contract
        payment.term = term
        payment.supplier_id = contract.supplier_id
        payment.unit_id = case.unit_id
        payment.amount = case.amount
        payment.invoice_number = (invoice_number or "").strip().upper()[:30]
        payment.invoice_date = invoice_date
        payment.invoice_amount = round_money(invoice_amount) if invoice_amount is not None else None
        payment.note = (note or "")[:200]
        payment.save()
    return payment


def payment_check(*, payment: Payment, contract: Contract, on: dt.date | None = None) -> list[str]:
    """The payment rules, with ``contract`` locked by the caller."""
    on = on or timezone.localdate()
    amount = payment.amount
    if amount is None or amount <= 0:
        raise ContractError(_("Give the amount to pay."), code="amount_required")
    if contract.status != Contract.Status.ACTIVE:
        raise ContractError(
            _("Contract %(number)s is %(status)s: only a contract in force can be paid.")
            % {"number": contract.number, "status": contract.get_status_display()}, code="contract_not_active",
        )
    supplier = contract.supplier
    if supplier.blacklisted:
        raise ContractError(
            _("Payment refused: %(supplier)s is on the blacklist (失信: %(reason)s); no payment may go to a blacklisted supplier (PRO-08).")
            % {"supplier": supplier.name, "reason": supplier.blacklist_reason}, code="blacklisted",
        )
    missing = [label for value, label in (
        (payment.invoice_number, _("invoice number")), (payment.invoice_date, _("invoice date")),
        (payment.invoice_amount, _("invoice amount")),
    ) if not value]
    if missing:
        raise ContractError(
            _("Payment refused: the invoice details are required (%(missing)s): no payment without an invoice.")
            % {"missing": "、".join(str(m) for m in missing)}, code="invoice_missing",
        )
    if payment.invoice_date > on:
        raise ContractError(_("The invoice date cannot be in the future."), code="invoice_future")
    if payment.invoice_amount < amount:
        raise ContractError(
            _("The invoice amount %(invoice)s is less than the payment %(amount)s.")
            % {"invoice": format_yuan(payment.invoice_amount), "amount": format_yuan(amount)}, code="invoice_short",
        )
    dup = (
        Payment.objects.filter(supplier_id=contract.supplier_id, invoice_number=payment.invoice_number, status__in=Payment.HOLDING)
        .exclude(pk=payment.pk).select_related("case").first()
    )
    if dup is not None:
        raise ContractError(
            _("Payment refused: invoice %(invoice)s of %(supplier)s is already paid or being paid by %(number)s; the same invoice "
              "cannot be paid twice (CON-07 重复付款).") % {"invoice": payment.invoice_number, "supplier": supplier.name, "number": dup.case.number},
            code="duplicate_invoice",
        )
    term = PaymentTerm.objects.get(pk=payment.term_id)
    if term.contract_id != contract.pk or not term.is_active:
        raise ContractError(_("This milestone is no longer one of the contract's terms."), code="term_replaced")
    if not term.is_reached(on):
        raise ContractError(
            _("Payment refused: the milestone “%(term)s” is not reached (%(trigger)s); pay only as the contract's terms allow (CON-02).")
            % {"term": term.label, "trigger": term.get_trigger_display()}, code="term_not_reached",
        )
    fig = contract_figures(contract, today=on, exclude_payment_id=payment.pk)
    if amount > fig.payable:
        raise ContractError(
            _("Payment refused: %(amount)s is more than the contract allows now. Reached milestones %(reached)s − paid %(paid)s − "
              "in approval %(in_flight)s = %(payable)s (pay only as the contract's terms allow, CON-01).")
            % {"amount": format_yuan(amount), "reached": format_yuan(fig.reached), "paid": format_yuan(fig.paid),
               "in_flight": format_yuan(fig.in_flight), "payable": format_yuan(fig.payable)},
            code="above_allowed",
        )
    claims = term_claims(contract, exclude_payment_id=payment.pk).get(term.pk, {})
    rest = term.amount - claims.get("paid", ZERO) - claims.get("in_flight", ZERO)
    if amount > rest:
        raise ContractError(
            _("Payment refused: %(amount)s is more than what is left of the milestone “%(term)s” (%(rest)s).")
            % {"amount": format_yuan(amount), "term": term.label, "rest": format_yuan(rest)}, code="above_milestone",
        )
    return []


def payment_submit(*, case: Case) -> list[str]:
    """On submission: check under the contract's lock and hold the amount and the invoice."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(case=case).first()
        if payment is None:
            raise ContractError(_("Choose the contract milestone and give the invoice before submitting."), code="no_payment")
        contract = _lock_contract(payment.contract_id)
        payment.amount = case.amount
        warnings = payment_check(payment=payment, contract=contract)
        try:
            with transaction.atomic():
                payment.transition(PS.SUBMITTED, fields=["amount"])
        except IntegrityError:  # the same invoice held by a payment of another contract of the supplier
            raise ContractError(
                _("Payment refused: invoice %(invoice)s of %(supplier)s is already paid or being paid; the same invoice cannot "
                  "be paid twice (CON-07 重复付款).") % {"invoice": payment.invoice_number, "supplier": contract.supplier.name},
                code="duplicate_invoice",
            ) from None
        return warnings


def payment_approved(*, case: Case) -> None:
    transition_all(Payment.objects.filter(case=case, status=PS.SUBMITTED), PS.APPROVED)


def payment_cancel(*, case: Case) -> None:
    transition_all(Payment.objects.filter(case=case, status__in=[PS.DRAFT, PS.SUBMITTED, PS.APPROVED]), PS.CANCELLED)


# The contract payment's status (PAID) and the codes callers know, from the desk's refusals.
_DESK_CODES = {"payee_refused": "blacklisted", "above_cap": "above_contract"}


def payment_pay(*, payment: Payment, actor, paid_on: dt.date | None = None, bank_reference: str = "") -> Payment:
    """出纳支付 of a contract payment, through the payment desk's one service
    (``payments.services.pay``): cashier ≠ applicant ≠ approver, supplier not blacklisted, the
    contract's rules (``contracts.payables``), the budget line executed using the contract's
    commitment, the trail and ``payment.paid``. Refusals keep their ``ContractError`` codes."""
    current = Payment.objects.select_related("case", "supplier").get(pk=payment.pk)
    try:
        payments_services.pay(
            case=current.case, actor=actor, amount=current.amount, payee_kind=PayeeKind.SUPPLIER,
            payee_ref=current.supplier_id, invoice_number=current.invoice_number, bank_reference=bank_reference,
            paid_on=paid_on,
        )
    except ContractError:
        raise
    except PaymentError as exc:
        raise ContractError(exc.message, code=_DESK_CODES.get(exc.code, exc.code)) from None
    current.refresh_from_db()
    return current


# --- starting a form from a record --------------------------------------------------------------------------
def payment_request_start(*, contract: Contract, actor) -> Case:
    """申请付款 from the contract page: a payment case pre-filled from the next due milestone."""
    from approvals import services as approval_services
    from approvals.models import Matter

    if contract.status != Contract.Status.ACTIVE:
        raise ContractError(_("Only a contract in force can be paid."), code="contract_not_active")
    if actor.unit_id != contract.unit_id:
        raise ContractError(_("Payments are applied for by the contract's unit."), code="other_unit")
    term, rest = next_due_term(contract)
    if term is None:
        raise ContractError(_("Every milestone of the contract is paid or in approval."), code="nothing_due")
    matter = Matter.objects.filter(code=PAYMENT_MATTER, is_active=True).first()
    if matter is None or Stage.PAYMENT not in matter.stages:
        raise ContractError(_("The payment matter is not configured; ask the administrator."), code="no_matter")
    fig = contract_figures(contract)
    amount = min(rest, fig.payable) if fig.payable > 0 else rest
    with transaction.atomic():
        case = approval_services.case_create(
            matter=matter, applicant=actor, amount=amount,
            title=_("Payment: %(title)s — %(term)s") % {"title": contract.title, "term": term.label},
            reason=_("Contract %(number)s with %(supplier)s, milestone “%(term)s”.")
            % {"number": contract.number, "supplier": contract.supplier.name, "term": term.label},
        )
        Payment.objects.create(case=case, contract=contract, term=term, supplier_id=contract.supplier_id, unit_id=case.unit_id,
                               amount=amount)
    return case


PAYMENT_MATTER = "HT-FK"
