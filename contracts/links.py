"""The contract kinds of the chain view (``core.chain``): the contract (合同), its supplementary
agreements (补充协议), acceptances (验收) and payments (支付申请), linked to the cases that carry
them, the purchase the contract follows and the budget line it is committed on. Who may see
them is contracts' own rule (``contracts.documents``: the unit scope of procurement, or the
case)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.money import format_yuan
from core.chain import (
    FIG_CONTRACTED,
    FIG_PAID,
    ORDER_ACCEPTANCE,
    ORDER_CONTRACT,
    ORDER_PAYMENT,
    ORDER_SUPPLEMENT,
    Detail,
    Kind,
    Node,
    register_kind,
    register_links,
)
from procurement.selectors import readable_records

from .documents import contract_can_read, of_contract_can_read, payment_can_read
from .models import Acceptance, Contract, Payment, Supplement

LIVE = (Contract.Status.ACTIVE, Contract.Status.COMPLETED)
# records that never became part of the chain are left out (as on the contract page)
HIDDEN_SUPPLEMENTS = (Supplement.Status.CANCELLED,)
HIDDEN_ACCEPTANCES = (Acceptance.Status.CANCELLED,)
HIDDEN_PAYMENTS = (Payment.Status.DRAFT, Payment.Status.CANCELLED)


def _supplier(supplier) -> Detail:
    return Detail(_("Supplier"), supplier.name, reverse("procurement:supplier_detail", args=[supplier.pk]))


# --- contract ---------------------------------------------------------------------------------
def _contracts(ids):
    return Contract.objects.filter(pk__in=ids).select_related("supplier")


def _contract(c: Contract) -> Node:
    details = [_supplier(c.supplier), Detail(_("Term"), f"{c.start_date:%Y-%m-%d} – {c.end_date:%Y-%m-%d}")]
    if c.original_amount != c.amount:
        details.append(Detail(_("Amount as signed"), format_yuan(c.original_amount)))
    return Node(
        number=c.number, title=c.title, url=reverse("contracts:detail", args=[c.pk]), state=c.get_status_display(),
        amount=c.amount, date=c.signed_on, details=tuple(details), file_owners=(c,),
        figures={FIG_CONTRACTED: c.amount} if c.status in LIVE else {},
    )


def _contracts_visible(user, contracts) -> set[int]:
    return readable_records(user, [(c.pk, c.unit_id, c.case_id) for c in contracts])


def _contract_up(contracts):
    for c in contracts:
        yield c.pk, "case", c.case_id
        if c.purchase_id:
            yield c.pk, "purchase", c.purchase_id
        if c.budget_line_id:
            yield c.pk, "budget_line", c.budget_line_id


def _contract_down(contracts):
    ids = [c.pk for c in contracts]
    for pk, contract_id in Supplement.objects.filter(contract_id__in=ids).exclude(status__in=HIDDEN_SUPPLEMENTS) \
            .order_by().values_list("pk", "contract_id"):
        yield contract_id, "supplement", pk
    for pk, contract_id in Acceptance.objects.filter(contract_id__in=ids).exclude(status__in=HIDDEN_ACCEPTANCES) \
            .order_by().values_list("pk", "contract_id"):
        yield contract_id, "acceptance", pk
    for pk, contract_id in Payment.objects.filter(contract_id__in=ids).exclude(status__in=HIDDEN_PAYMENTS) \
            .order_by().values_list("pk", "contract_id"):
        yield contract_id, "payment", pk


def _purchase_down(purchases):
    return ((purchase_id, "contract", pk) for pk, purchase_id in
            Contract.objects.filter(purchase_id__in=[p.pk for p in purchases]).values_list("pk", "purchase_id"))


def _case_down(cases):
    """The contract records a case carries (the contract and its acceptance on the purchase's
    case, a payment or supplementary agreement on a form of its own)."""
    ids = [c.pk for c in cases]
    for pk, case_id in Contract.objects.filter(case_id__in=ids).values_list("pk", "case_id"):
        yield case_id, "contract", pk
    for model, key, hidden in ((Supplement, "supplement", HIDDEN_SUPPLEMENTS), (Acceptance, "acceptance", HIDDEN_ACCEPTANCES),
                               (Payment, "payment", HIDDEN_PAYMENTS)):
        for pk, case_id in model.objects.filter(case_id__in=ids).exclude(status__in=hidden).order_by().values_list("pk", "case_id"):
            yield case_id, key, pk


# --- supplement, acceptance, payment -------------------------------------------------------------
def _supplements(ids):
    return Supplement.objects.filter(pk__in=ids).select_related("case", "contract")


def _supplement(s: Supplement) -> Node:
    details = [Detail(_("Change"), s.get_direction_display())]
    if s.old_amount != s.new_amount:
        details.append(Detail(_("Amount"), f"{format_yuan(s.old_amount)} → {format_yuan(s.new_amount)}"))
    if s.new_end_date and s.new_end_date != s.old_end_date:
        details.append(Detail(_("End date"), f"{s.old_end_date or '—'} → {s.new_end_date:%Y-%m-%d}"))
    return Node(
        number=s.case.number, title=s.case.title, url=reverse("approvals:detail", args=[s.case_id]),
        state=s.get_status_display(), amount=s.new_amount, date=timezone.localdate(s.created_at),
        details=tuple(details), file_owners=(s,),
    )


def _acceptances(ids):
    return Acceptance.objects.filter(pk__in=ids).select_related("case", "contract")


def _acceptance(a: Acceptance) -> Node:
    return Node(
        number=a.case.number, title=_("Acceptance of %(contract)s") % {"contract": a.contract.number},
        url=reverse("approvals:detail", args=[a.case_id]) + "#acceptance", state=a.get_status_display(),
        date=a.accepted_on, details=(Detail(_("Result"), a.get_result_display()),), file_owners=(a,),
    )


def _payments(ids):
    return Payment.objects.filter(pk__in=ids).select_related("case", "contract", "term")


def _payment(p: Payment) -> Node:
    details = [Detail(_("Milestone"), p.term.label), Detail(_("Contract"), p.contract.number,
                                                            reverse("contracts:detail", args=[p.contract_id]))]
    if p.invoice_number:
        details.append(Detail(_("Invoice"), p.invoice_number))
    if p.paid_on:
        details.append(Detail(_("Paid on"), f"{p.paid_on:%Y-%m-%d}"))
    return Node(
        number=p.case.number, title=p.case.title, url=reverse("contracts:payment_detail", args=[p.pk]),
        state=p.get_status_display(), amount=p.amount, date=p.paid_on or timezone.localdate(p.created_at),
        details=tuple(details), file_owners=(p,),
        figures={FIG_PAID: p.amount} if p.status == Payment.Status.PAID and p.amount else {},
    )


def _of_contract_visible(user, records) -> set[int]:
    return readable_records(user, [(r.pk, r.contract.unit_id, r.case_id) for r in records])


def _payments_visible(user, payments) -> set[int]:
    return readable_records(user, [(p.pk, p.unit_id, p.case_id) for p in payments])


def _of_contract_up(records):
    for r in records:
        yield r.pk, "contract", r.contract_id
        yield r.pk, "case", r.case_id


KINDS = (
    Kind(key="contract", label=gettext_lazy("Contract"), order=ORDER_CONTRACT, fetch=_contracts, describe=_contract,
         can_view=contract_can_read, visible=_contracts_visible),
    Kind(key="supplement", label=gettext_lazy("Supplementary agreements"), order=ORDER_SUPPLEMENT, fetch=_supplements,
         describe=_supplement, can_view=of_contract_can_read, visible=_of_contract_visible),
    Kind(key="acceptance", label=gettext_lazy("Acceptance"), order=ORDER_ACCEPTANCE, fetch=_acceptances,
         describe=_acceptance, can_view=of_contract_can_read, visible=_of_contract_visible),
    Kind(key="payment", label=gettext_lazy("Payments"), order=ORDER_PAYMENT, fetch=_payments, describe=_payment,
         can_view=payment_can_read, visible=_payments_visible),
)


def register() -> None:
    for kind in KINDS:
        register_kind(kind)
    register_links("contract", up=_contract_up, down=_contract_down)
    for key in ("supplement", "acceptance", "payment"):
        register_links(key, up=_of_contract_up)
    register_links("purchase", down=_purchase_down)
    register_links("case", down=_case_down)
