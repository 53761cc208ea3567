"""A purchase without a contract as a payable source of the payment desk (``payments.registry``).

A small purchase (小额采购) whose case ends at its award — its stages name no contract — is
paid at the desk to the awarded supplier against an invoice, up to the award amount (never
above the amount approved on the case), and executed on the case's budget line from its
reservation. A purchase whose stages go on to a contract is paid through the contract's
payment forms instead (``contracts.payables``), never here.

Rules the purchase adds, under the award's row lock (lock order step 2): the award is still
in force, and an award at or above the office's small-purchase limit in force on its date
must be signed as a contract first (the same limit ``contracts`` applies to a contract signed
without a purchase). The payee is the awarded supplier only; a blacklisted supplier is refused
by procurement's payee check; an invoice is required, as for every payment to a supplier.

The payment deadline (保障中小企业款项支付条例第九条) counts from the award: without a contract
or an acceptance record the award is the earliest day the goods or services can have been
delivered, so the deadline shown is never later than the regulation's.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.money import format_yuan
from payments.models import PayeeKind
from payments.registry import DueFrom, Payee, register_source

from . import selectors
from .exceptions import ProcurementError
from .models import Award

KEY = "purchase"
CONTRACT_STAGE = "contract"
AWARDED = Award.Status.AWARDED


def _q() -> Q:
    own = Q(stages__len__gt=0) & ~Q(stages__contains=[CONTRACT_STAGE])
    matters = Q(stages__len=0) & ~Q(matter__stages__contains=[CONTRACT_STAGE])
    return Q(purchase__award__status=AWARDED) & (own | matters)


def _applies(case) -> bool:
    return CONTRACT_STAGE not in case.stage_list and Award.objects.filter(purchase__case=case, status=AWARDED).exists()


def _award(case) -> Award:
    return Award.objects.select_related("supplier", "purchase").get(purchase__case=case)


def _cap_of(case, award_amount: Decimal) -> Decimal:
    return min(award_amount, case.amount) if case.amount is not None else award_amount


def _caps(cases) -> dict[int, Decimal]:
    amounts = dict(Award.objects.filter(purchase__case__in=[c.pk for c in cases]).values_list("purchase__case_id", "amount"))
    return {c.pk: _cap_of(c, amounts[c.pk]) for c in cases if c.pk in amounts}


def _payees(case) -> list[Payee]:
    supplier = _award(case).supplier
    return [Payee(kind=PayeeKind.SUPPLIER, name=supplier.name, ref=supplier.pk, bank_name=supplier.bank_name,
                  bank_account=supplier.bank_account)]


def _describe(case) -> str:
    award = _award(case)
    return _("Purchase %(number)s without a contract, awarded to %(supplier)s for %(amount)s") % {
        "number": case.number, "supplier": award.supplier.name, "amount": format_yuan(award.amount)}


def _lock(case) -> None:
    Award.objects.select_for_update(of=("self",)).get(purchase__case=case)


def _check(case, amount: Decimal) -> None:
    award = _award(case)
    if award.status != AWARDED:
        raise ProcurementError(_("The award of this purchase is no longer in force: it cannot be paid."),
                               code="award_not_in_force")
    limit = selectors.threshold_amount("small_purchase", category=award.purchase.category, on=award.awarded_on)
    if limit is not None and award.amount >= limit:
        raise ProcurementError(
            _("An award of %(amount)s reaches the office's small-purchase limit %(limit)s: sign a contract and pay it "
              "through the contract's payment form.") % {"amount": format_yuan(award.amount), "limit": format_yuan(limit)},
            code="award_needs_contract",
        )


def _due_from(cases) -> dict[int, DueFrom]:
    rows = Award.objects.filter(purchase__case__in=[c.pk for c in cases], awarded_on__isnull=False)
    return {
        case_id: DueFrom(day=day, why=_("the award"), sme=sme)
        for case_id, day, sme in rows.values_list("purchase__case_id", "awarded_on", "supplier__is_sme")
    }


def register() -> None:
    register_source(
        KEY,
        label=gettext_lazy("Purchase without a contract"),
        q=_q,
        applies=_applies,
        cap=lambda case: _cap_of(case, _award(case).amount),
        caps=_caps,
        payees=_payees,
        describe=_describe,
        source_id=lambda case: Award.objects.filter(purchase__case=case).values_list("pk", flat=True).first(),
        lock=_lock,
        check=_check,
        due_from=_due_from,
    )
