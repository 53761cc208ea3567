"""Contracts as a payable source of the payment desk (``payments.registry``).

A contract payment form (支付申请, matter 合同付款) holds its ``contracts.Payment``: the contract,
the reached milestone and the invoice. Once approved, the desk pays it through the one
payment service: cap = the approved payment, payee = the contract's supplier, executed on the
contract's budget line using its commitment. ``contracts.Payment`` stays the contract-side
record (contract, term, invoice, paid state), so the contract figures, the execution table
and its exports read what they always read; ``payments.Payment.source_id`` is its id.

Rules the contract adds, checked under the contract's row lock: the payment is approved and
not paid yet, it is paid in full at once, and the contract's payments never go above the
contract amount (CON-01). Refunds are not made at the desk (a supplementary agreement reduces
the contract); a payment voided at the desk puts the contract payment back to approved."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.money import format_yuan
from documents.selectors import documents_of
from payments.models import PayeeKind
from payments.models import Payment as Disbursement
from payments.registry import DueFrom, InvoiceOnFile, Payee, register_source

from .exceptions import ContractError
from .models import Contract, DocKind, Payment, PaymentTerm
from .services import contract_figures

KEY = "contract"
PS = Payment.Status


def _payment(case) -> Payment:
    return Payment.objects.select_related("contract__supplier", "term").get(case=case)


def _payees(case) -> list[Payee]:
    supplier = _payment(case).contract.supplier
    return [Payee(kind=PayeeKind.SUPPLIER, name=supplier.name, ref=supplier.pk, bank_name=supplier.bank_name,
                  bank_account=supplier.bank_account)]


def _describe(case) -> str:
    p = _payment(case)
    return _("Contract %(number)s %(title)s, milestone “%(term)s”") % {
        "number": p.contract.number, "title": p.contract.title, "term": p.term.label}


def _lock(case) -> None:
    """Lock order step 2 (as ``payment_submit``): the case's payment record, then its contract."""
    p = Payment.objects.select_for_update(of=("self",)).get(case=case)
    Contract.objects.select_for_update(of=("self",)).get(pk=p.contract_id)


def _check(case, amount: Decimal) -> None:
    p = _payment(case)
    if p.status == PS.PAID:
        raise ContractError(_("This payment has already been paid (%(date)s).") % {"date": p.paid_on}, code="already_paid")
    if p.status != PS.APPROVED:
        raise ContractError(_("Only an approved payment can be paid."), code="not_approved")
    if amount != p.amount:
        raise ContractError(_("A contract payment is paid in full: %(amount)s.") % {"amount": format_yuan(p.amount)},
                            code="not_in_full")
    # contract_figures counts a construction project's progress payments too (``registry``)
    paid = contract_figures(p.contract).paid
    if paid + amount > p.contract.amount:
        raise ContractError(
            _("Payment refused: it would take the payments to %(total)s, above the contract amount %(amount)s (CON-01).")
            % {"total": format_yuan(paid + amount), "amount": format_yuan(p.contract.amount)}, code="above_contract",
        )


def _budget(case):
    contract = _payment(case).contract
    return (contract.budget_line, contract) if contract.budget_line_id else None


def _after_pay(case, disbursement: Disbursement) -> None:
    """Keep the contract-side record and the contract's state (rows locked by ``_lock``)."""
    p = _payment(case)
    contract = p.contract
    if disbursement.status == Disbursement.Status.PAID and disbursement.amount > 0:
        p.transition(PS.PAID, paid_on=disbursement.paid_on, paid_by=disbursement.paid_by, paid_at=disbursement.paid_at,
                     bank_reference=disbursement.bank_reference)
        if contract_figures(contract).paid == contract.amount and contract.status == Contract.Status.ACTIVE:
            contract.transition(Contract.Status.COMPLETED, completed_at=timezone.now())
    elif disbursement.status == Disbursement.Status.VOIDED:
        p.transition(PS.APPROVED, paid_on=None, paid_by=None, paid_at=None, bank_reference="")
        if contract.status == Contract.Status.COMPLETED:
            contract.transition(Contract.Status.ACTIVE, completed_at=None)


def _due_from(cases) -> dict[int, DueFrom]:
    """When each payment's deadline starts (保障中小企业款项支付条例第九条、第十条): the day its
    milestone was reached — the acceptance passed, the contract signed, the agreed date."""
    out = {}
    rows = Payment.objects.filter(case__in=[c.pk for c in cases]).select_related("term", "contract__supplier")
    why = {PaymentTerm.Trigger.ACCEPTANCE: _("acceptance"), PaymentTerm.Trigger.SIGNING: _("signing"),
           PaymentTerm.Trigger.DATE: _("the agreed date")}
    for p in rows:
        day = p.term.reached_on or p.term.due_date
        if day is not None:
            out[p.case_id] = DueFrom(day=day, why=str(why.get(p.term.trigger, "")), sme=p.contract.supplier.is_sme)
    return out


def _invoice_on_file(case) -> InvoiceOnFile:
    p = _payment(case)
    return InvoiceOnFile(number=p.invoice_number, date=p.invoice_date, amount=p.invoice_amount,
                         documents=tuple(documents_of(p, DocKind.INVOICE)))


def register() -> None:
    register_source(
        KEY,
        label=gettext_lazy("Contract payment"),
        q=lambda: Q(payment__status__in=[PS.APPROVED, PS.PAID]),
        applies=lambda case: Payment.objects.filter(case=case, status__in=[PS.APPROVED, PS.PAID]).exists(),
        cap=lambda case: case.amount,  # the approved payment (payment_submit keeps it equal to the case amount)
        payees=_payees,
        describe=_describe,
        source_id=lambda case: Payment.objects.filter(case=case).values_list("pk", flat=True).first(),
        lock=_lock,
        check=_check,
        invoice=lambda case: ("", _payment(case).invoice_number),
        budget=_budget,
        after_pay=_after_pay,
        refunds=False,
        due_from=_due_from,
        invoice_on_file=_invoice_on_file,
    )
