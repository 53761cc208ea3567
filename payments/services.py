"""Writes of payments: the cashier pays an approved case (``pay``), gives money back
(``refund``) or voids a mistaken entry (``payment_void``). One set of rules for every payable
source (reimbursement, contract milestone, and those construction and assets will register).

Lock order (the order of approvals/services.py, which every transaction of the system keeps):

1. the case row (``SELECT ... FOR UPDATE OF`` the case alone): two payments of one case are
   checked one after the other, each seeing what the other paid (the cap);
2. the source's rows (``source.lock``: the contract of a contract payment), then the payment
   row being refunded or voided;
3. the budget line (``budget.services.budget_execute`` / ``budget_refund``, by id);
4. last, the trail's advisory lock (``approvals.trail.append``).

Every function runs in one ``transaction.atomic()``: a refusal or a failure saves nothing
(no payment row, no ledger row, no trail entry); the event ``payment.paid`` goes out only
after the commit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals import trail
from approvals.models import Action, Case
from approvals.money import format_yuan
from budget import services as budget_services
from budget.models import CaseBudget
from core import events
from core.money import AmountError, parse_amount

from . import permissions, registry
from .exceptions import PaymentError
from .models import PayeeKind, Payment, normalise_invoice

ZERO = Decimal("0.00")
PAID = Payment.Status.PAID

events.define("payment.voided")


# --- figures ------------------------------------------------------------------------------------
def paid_total(case: Case) -> Decimal:
    """What the case has been paid, refunds deducted (payments in force)."""
    total = Payment.objects.filter(case=case, status=PAID).aggregate(t=Sum("amount"))["t"]
    return total or ZERO


def refunded_total(payment: Payment) -> Decimal:
    total = Payment.objects.filter(refund_of=payment, status=PAID).aggregate(t=Sum("amount"))["t"]
    return -(total or ZERO)


# --- helpers -----------------------------------------------------------------------------------------
def _lock_case(case_id: int) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("matter", "unit", "applicant")
        .get(pk=case_id)
    )


def _amount(value) -> Decimal:
    try:
        return parse_amount(value)
    except AmountError as e:
        raise PaymentError(_("The amount: %(error)s") % {"error": e}, code=f"amount_{e.code}") from None


def _paid_on(value) -> dt.date:
    paid_on = value or timezone.localdate()
    if paid_on > timezone.localdate():
        raise PaymentError(_("The payment date cannot be in the future."), code="paid_future")
    return paid_on


def _source(case: Case) -> registry.PayableSource:
    if case.status != Case.Status.APPROVED:
        raise PaymentError(_("Only an approved case can be paid; %(number)s is %(status)s.")
                           % {"number": case.number, "status": case.get_status_display()}, code="not_approved")
    source = registry.source_for(case)
    if source is None:
        raise PaymentError(_("%(number)s spends no money that the payment desk pays.") % {"number": case.number},
                           code="no_source")
    return source


def _budget_target(source: registry.PayableSource, case: Case):
    """(line, commitment) the payment executes on, or None when the case has no budget line."""
    if source.budget is not None:
        return source.budget(case)
    link = CaseBudget.objects.select_related("line").filter(case=case).first()
    return (link.line, None) if link else None


def _check_cashier(actor, case: Case) -> None:
    refusal = permissions.pay_refusal(actor, case)
    if refusal:
        code = "not_cashier" if not permissions.may_pay_at_all(actor) else "incompatible_duties"
        raise PaymentError(refusal, code=code)


def _resolve_payee(source, case, *, kind: str, ref, name: str) -> registry.Payee:
    """The payee as the source allows it: a person must be one the case names; a supplier or
    organisation must be one of the source's, unless the source lets the cashier name another."""
    allowed = source.payees(case)
    if kind not in PayeeKind.values:
        raise PaymentError(_("Choose who is paid."), code="payee_kind")
    if kind == PayeeKind.PERSON:
        try:
            ref = int(ref)
        except (TypeError, ValueError):
            ref = None
        for payee in allowed:
            if payee.kind == PayeeKind.PERSON and payee.ref == ref:
                return payee
        names = "、".join(p.name for p in allowed if p.kind == PayeeKind.PERSON) or _("nobody")
        raise PaymentError(
            _("A person paid must be the applicant or someone named on the case (%(names)s); this person is not.")
            % {"names": names}, code="payee_outside_case",
        )
    for payee in allowed:
        if payee.kind == kind and ((ref not in (None, "") and str(payee.ref) == str(ref)) or
                                   (ref in (None, "") and payee.name == (name or "").strip())):
            return payee
    if not source.other_payees:
        names = "、".join(p.name for p in allowed) or _("nobody")
        raise PaymentError(_("This case may only be paid to %(names)s.") % {"names": names}, code="payee_not_allowed")
    name = (name or "").strip()
    if not name:
        raise PaymentError(_("Give the name of the payee."), code="payee_name")
    return registry.Payee(kind=kind, name=name[:200])


def _invoice(code: str, number: str) -> tuple[str, str]:
    code, number = normalise_invoice(code), normalise_invoice(number)
    if len(code) > 20 or len(number) > 30:
        raise PaymentError(_("The invoice code has at most 20 characters and the number at most 30."), code="invoice_long")
    return code, number


def _require_invoice(kind: str, number: str) -> None:
    if kind != PayeeKind.PERSON and not number:
        raise PaymentError(_("A payment to a supplier or an organisation needs its invoice number: no payment without an invoice."),
                           code="invoice_required")


def _invoice_taken_message(code: str, number: str, other: Payment | None) -> str:
    label = f"{code} {number}".strip()
    if other is not None:
        return _("Invoice %(invoice)s has already been paid by %(number)s on %(date)s: one invoice is paid once "
                 "(CON-07 重复付款).") % {"invoice": label, "number": other.case.number, "date": other.paid_on}
    return _("Invoice %(invoice)s has already been paid: one invoice is paid once (CON-07 重复付款).") % {"invoice": label}


# --- pay ---------------------------------------------------------------------------------------------
def pay(*, case: Case, actor, amount, payee_kind: str, payee_ref=None, payee_name: str = "", bank_name: str = "",
        bank_account: str = "", invoice_code: str = "", invoice_number: str = "", bank_reference: str = "",
        paid_on: dt.date | None = None, note: str = "") -> Payment:
    """出纳付款: pay ``amount`` of the approved ``case`` to one of its allowed payees.

    Refused, with nothing saved: above what the case's source allows (its cap, counting every
    payment in force including this one), an invoice already paid (code + number, without
    spaces, any case), a payee a registered check refuses (a blacklisted supplier), a cashier
    who applied for or approved the case, a person the case does not name."""
    amount = _amount(amount)
    paid_on = _paid_on(paid_on)
    code, number = _invoice(invoice_code, invoice_number)
    with transaction.atomic():
        case = _lock_case(case.pk)
        source = _source(case)
        _check_cashier(actor, case)
        source.lock(case)
        payee = _resolve_payee(source, case, kind=payee_kind, ref=payee_ref, name=payee_name)
        refusal = registry.payee_refusal(payee.kind, payee.name, payee.ref)
        if refusal:
            raise PaymentError(refusal, code="payee_refused")
        bank_name = (bank_name or "").strip() or payee.bank_name
        bank_account = "".join((bank_account or "").split()) or payee.bank_account
        if not bank_account:
            raise PaymentError(_("Give the payee's bank account."), code="bank_required")
        source.check(case, amount)  # the source's own rules (a contract: approved, not paid yet, in full)
        cap = source.cap(case)
        paid = paid_total(case)
        if paid + amount > cap:
            raise PaymentError(
                _("Payment refused: %(amount)s would take the payments of %(number)s to %(total)s, above the %(cap)s "
                  "it may be paid (already paid %(paid)s, left %(left)s).")
                % {"amount": format_yuan(amount), "number": case.number, "total": format_yuan(paid + amount),
                   "cap": format_yuan(cap), "paid": format_yuan(paid), "left": format_yuan(max(ZERO, cap - paid))},
                code="above_cap",
            )
        held = source.invoice(case)
        if held is not None:
            held = (normalise_invoice(held[0]), normalise_invoice(held[1]))
            if not (code or number):
                code, number = held
            elif (code, number) != held:
                raise PaymentError(
                    _("This case is paid against invoice %(held)s; invoice %(given)s is not the one approved.")
                    % {"held": f"{held[0]} {held[1]}".strip(), "given": f"{code} {number}".strip()}, code="invoice_other",
                )
        _require_invoice(payee.kind, number)
        if number:
            other = (Payment.objects.filter(invoice_code=code, invoice_number=number, status=PAID, amount__gt=0)
                     .select_related("case").first())
            if other is not None:
                raise PaymentError(_invoice_taken_message(code, number, other), code="invoice_paid")
        payment = Payment(
            case=case, source_key=source.key, source_id=source.source_id(case), payee_kind=payee.kind,
            payee_name=payee.name, payee_ref=payee.ref, bank_name=bank_name[:100], bank_account=bank_account[:40],
            amount=amount, invoice_code=code, invoice_number=number, note=(note or "")[:200], status=PAID,
            paid_on=paid_on, paid_by=actor, paid_at=timezone.now(), bank_reference=(bank_reference or "").strip()[:60],
        )
        try:
            with transaction.atomic():
                payment.save()
        except IntegrityError as exc:  # the same invoice paid at this very moment by another cashier
            if "payments_invoice_paid_once" not in str(exc):
                raise
            raise PaymentError(_invoice_taken_message(code, number, None), code="invoice_paid") from None
        target = _budget_target(source, case)
        if target is not None:
            line, commitment = target
            budget_services.budget_execute(
                line=line, amount=amount, source=payment, commitment=commitment, case=case, actor=actor,
                note=_("Payment %(number)s to %(payee)s") % {"number": case.number, "payee": payee.name},
                occurred_on=paid_on,
            )
        source.after_pay(case, payment)
        trail.append(case, Action.Kind.PAY, actor=actor, comment=_(
            "Paid %(amount)s to %(payee)s (%(bank)s %(account)s), invoice %(invoice)s, bank reference %(ref)s; "
            "paid in all %(total)s of %(cap)s."
        ) % {"amount": format_yuan(amount), "payee": payee.name, "bank": bank_name, "account": bank_account,
             "invoice": f"{code} {number}".strip() or "—", "ref": payment.bank_reference or "—",
             "total": format_yuan(paid + amount), "cap": format_yuan(cap)})
        events.emit("payment.paid", payment_id=payment.pk, case_id=case.pk, source=source.key,
                    amount=str(amount), paid_by=actor.pk)
    return payment


def refund(*, payment: Payment, actor, amount, bank_reference: str = "", paid_on: dt.date | None = None,
           note: str = "") -> Payment:
    """退款: money of ``payment`` comes back (the payee returned it, an overpayment). Stored as
    a negative payment naming the one it refunds; executes negative on the budget line. At
    most what was paid by that payment, less earlier refunds."""
    amount = _amount(amount)
    paid_on = _paid_on(paid_on)
    with transaction.atomic():
        case = _lock_case(payment.case_id)
        source = registry.source_for(case)
        if source is None:
            raise PaymentError(_("%(number)s spends no money that the payment desk pays.") % {"number": case.number},
                               code="no_source")
        _check_cashier(actor, case)
        if not source.refunds:
            raise PaymentError(_("A payment of this kind is not refunded at the desk: void a payment made by mistake, "
                                 "or reduce the contract by a supplementary agreement."), code="no_refunds")
        source.lock(case)
        original = Payment.objects.select_for_update(of=("self",)).get(pk=payment.pk)
        if original.status != PAID or original.is_refund:
            raise PaymentError(_("Only a payment in force can be refunded."), code="not_refundable")
        already = refunded_total(original)
        if already + amount > original.amount:
            raise PaymentError(
                _("Refund refused: %(amount)s is more than what this payment paid (%(paid)s, of which %(refunded)s "
                  "already refunded; at most %(left)s).")
                % {"amount": format_yuan(amount), "paid": format_yuan(original.amount),
                   "refunded": format_yuan(already), "left": format_yuan(original.amount - already)},
                code="refund_above_paid",
            )
        back = Payment.objects.create(
            case=case, source_key=original.source_key, source_id=original.source_id, payee_kind=original.payee_kind,
            payee_name=original.payee_name, payee_ref=original.payee_ref, bank_name=original.bank_name,
            bank_account=original.bank_account, amount=-amount, refund_of=original, note=(note or "")[:200],
            status=PAID, paid_on=paid_on, paid_by=actor, paid_at=timezone.now(),
            bank_reference=(bank_reference or "").strip()[:60],
        )
        _give_back_budget(source, case, back, amount, actor, paid_on,
                          _("Refund of %(number)s from %(payee)s") % {"number": case.number, "payee": original.payee_name})
        source.after_pay(case, back)
        trail.append(case, Action.Kind.PAY, actor=actor, comment=_(
            "Refund of %(amount)s from %(payee)s (payment of %(paid)s on %(date)s), bank reference %(ref)s."
        ) % {"amount": format_yuan(amount), "payee": original.payee_name, "paid": format_yuan(original.amount),
             "date": original.paid_on, "ref": back.bank_reference or "—"})
        events.emit("payment.paid", payment_id=back.pk, case_id=case.pk, source=source.key,
                    amount=str(-amount), paid_by=actor.pk)
    return back


def _give_back_budget(source, case, payment, amount, actor, occurred_on, note) -> None:
    target = _budget_target(source, case)
    if target is not None:
        budget_services.budget_refund(line=target[0], amount=amount, source=payment, case=case, actor=actor,
                                      note=note, occurred_on=occurred_on)


def payment_void(*, payment: Payment, actor, reason: str) -> Payment:
    """作废: a payment entered by mistake (the bank never sent it) is voided: its execution is
    given back to the budget line and its invoice may be paid again. A payment with refunds
    in force, or already voided, cannot be voided."""
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError(_("Give the reason for voiding the payment."), code="reason_required")
    with transaction.atomic():
        case = _lock_case(payment.case_id)
        source = registry.source_for(case)
        _check_cashier(actor, case)
        if source is not None:
            source.lock(case)
        payment = Payment.objects.select_for_update(of=("self",)).get(pk=payment.pk)
        if payment.is_refund:
            raise PaymentError(_("A refund is not voided; pay the money again instead."), code="void_refund")
        if payment.status == PAID and refunded_total(payment) > 0:
            raise PaymentError(_("This payment has refunds: it cannot be voided."), code="void_refunded")
        payment.transition(Payment.Status.VOIDED, voided_reason=reason[:200])
        if source is not None:
            _give_back_budget(source, case, payment, payment.amount, actor, timezone.localdate(),
                              _("Voided payment of %(number)s") % {"number": case.number})
            source.after_pay(case, payment)
        trail.append(case, Action.Kind.PAY, actor=actor, comment=_(
            "Voided the payment of %(amount)s to %(payee)s: %(reason)s"
        ) % {"amount": format_yuan(payment.amount), "payee": payment.payee_name, "reason": reason})
        events.emit("payment.voided", payment_id=payment.pk, case_id=case.pk)
    return payment
