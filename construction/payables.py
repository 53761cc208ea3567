"""Progress payments as a payable source of the payment desk (``payments.registry``).

A progress payment form (matter 工程进度款支付) holds its ``ProgressPayment``. Once approved, the
desk pays it: cap = the approved payment, payee = the construction contract's supplier,
executed on the contract's budget line using its commitment. Checked again under the
project's and the contract's row locks: approved and not paid, paid in full at once, within
the work done × the contract's rate and the approved 概算 (``services._check_progress``)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.money import format_yuan
from contracts.models import Contract
from contracts.registry import register_paid_provider
from payments.models import PayeeKind
from payments.models import Payment as Disbursement
from payments.registry import Payee, register_source

from . import services
from .exceptions import ConstructionError
from .models import ProgressPayment, Project

KEY = "construction"
S = ProgressPayment.Status


def _payment(case) -> ProgressPayment:
    return ProgressPayment.objects.select_related("contract__supplier", "project").get(case=case)


def _payees(case) -> list[Payee]:
    supplier = _payment(case).contract.supplier
    return [Payee(kind=PayeeKind.SUPPLIER, name=supplier.name, ref=supplier.pk, bank_name=supplier.bank_name,
                  bank_account=supplier.bank_account)]


def _describe(case) -> str:
    p = _payment(case)
    return _("Progress payment of project %(number)s %(name)s, contract %(contract)s") % {
        "number": p.project.number, "name": p.project.name, "contract": p.contract.number}


def _lock(case) -> None:
    """Lock order (services): the project, the progress payment, then the contract."""
    p = ProgressPayment.objects.get(case=case)
    Project.objects.select_for_update(of=("self",)).get(pk=p.project_id)
    ProgressPayment.objects.select_for_update(of=("self",)).get(pk=p.pk)
    Contract.objects.select_for_update(of=("self",)).get(pk=p.contract_id)


def _check(case, amount: Decimal) -> None:
    p = _payment(case)
    if p.status == S.PAID:
        raise ConstructionError(_("This progress payment has already been paid (%(date)s).") % {"date": p.paid_on},
                                code="already_paid")
    if p.status != S.APPROVED:
        raise ConstructionError(_("Only an approved progress payment can be paid."), code="not_approved")
    if amount != p.amount:
        raise ConstructionError(_("A progress payment is paid in full: %(amount)s.") % {"amount": format_yuan(p.amount)},
                                code="not_in_full")
    services._check_progress(p.project, p.contract, amount, exclude_payment_id=p.pk)


def _budget(case):
    contract = _payment(case).contract
    return (contract.budget_line, contract) if contract.budget_line_id else None


def _after_pay(case, disbursement: Disbursement) -> None:
    p = _payment(case)
    if disbursement.status == Disbursement.Status.PAID and disbursement.amount > 0:
        p.transition(S.PAID, paid_on=disbursement.paid_on)
    elif disbursement.status == Disbursement.Status.VOIDED:
        p.transition(S.APPROVED, paid_on=None)


def paid_against(contract_ids) -> dict[int, Decimal]:
    """Paid progress payments per contract: the contract's paid amount and CON-01 count them
    (``contracts.registry``)."""
    rows = (ProgressPayment.objects.filter(contract_id__in=contract_ids, status=S.PAID).values("contract_id")
            .annotate(total=Sum("amount")).order_by())
    return {r["contract_id"]: r["total"] for r in rows}


def register() -> None:
    register_paid_provider(KEY, paid_against)
    register_source(
        KEY,
        label=gettext_lazy("Construction progress payment"),
        q=lambda: Q(progress_payment__status__in=[S.APPROVED, S.PAID]),
        applies=lambda case: ProgressPayment.objects.filter(case=case, status__in=[S.APPROVED, S.PAID]).exists(),
        cap=lambda case: case.amount,
        payees=_payees,
        describe=_describe,
        source_id=lambda case: ProgressPayment.objects.filter(case=case).values_list("pk", flat=True).first(),
        lock=_lock,
        check=_check,
        invoice=lambda case: ("", _payment(case).invoice_number),
        budget=_budget,
        after_pay=_after_pay,
        refunds=False,
    )
