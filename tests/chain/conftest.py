"""Fixtures of the chain tests: the procurement tests' office, catalogue, budget line,
suppliers and ``flow`` (real services and routing), and chains built with them."""

from __future__ import annotations

from decimal import Decimal as D
from types import SimpleNamespace

import pytest

from approvals import services as approval_services
from contracts import services as contract_services
from contracts.models import Payment, PaymentTerm, Supplement
from procurement.models import Purchase
from tests.procurement.conftest import (  # noqa: F401  (fixtures)
    approve_all,
    catalogue,
    flow,
    line,
    media_root,
    suppliers,
    today,
)


def supplement(flow, contract, change: str) -> Supplement:
    """An approved supplementary agreement raising the amount (the open milestone takes it)."""
    case = contract_services.supplement_start(contract=contract, actor=flow.o.clerk)
    flow.attach_required(case)
    approval_services.case_update(case=case, actor=case.applicant, title=case.title, amount=change)
    open_terms = sum(t.amount for t in contract.terms.filter(is_active=True, reached_on__isnull=True))
    rows = [{"kind": "acceptance", "name": "验收款", "percent": None, "amount": open_terms + D(change),
             "trigger": "acceptance", "due_date": None}]
    sup = contract_services.supplement_set(case=case, actor=case.applicant, contract=contract, direction="increase",
                                           content="增加采购数量", new_end_date=None, terms=rows)
    approval_services.case_submit(case=case, actor=case.applicant)
    approve_all(case)
    sup.refresh_from_db()
    contract.refresh_from_db()
    return sup


def build_small(flow, *, title="采购社区服务中心办公设备", invoice="44031234"):
    """Request → purchase → three quotes → award 76,000 → contract → advance paid (22,800)."""
    case = flow.request("80000.00", title=title)
    flow.purchase(case)
    flow.quotes(case, prices=("76000.00", "79000.00", "81500.00"))
    contract = flow.contract(case, amount="76000.00")
    payment = flow.payment_case(contract, "22800.00", invoice=invoice)
    flow.pay(payment)
    payment.refresh_from_db()
    return SimpleNamespace(case=case, purchase=Purchase.objects.get(case=case), contract=contract, payments=[payment],
                           supplements=[], acceptance=None)


def build_large(flow):
    """Request → purchase → award 100,000 → contract → supplement +8,000 → acceptance →
    advance (30,000) and acceptance milestone (78,000) both paid."""
    case = flow.request("100000.00", title="社区综合服务设施设备采购")
    flow.purchase(case)
    flow.quotes(case, prices=("100000.00", "103000.00", "105500.00"))
    contract = flow.contract(case, amount="100000.00")
    sup = supplement(flow, contract, "8000.00")
    advance = flow.payment_case(contract, "30000.00", term=contract.terms.get(is_active=True, kind=PaymentTerm.Kind.ADVANCE))
    flow.pay(advance)
    acc = flow.acceptance(case)
    final = flow.payment_case(contract, "78000.00", term=contract.terms.get(is_active=True, kind=PaymentTerm.Kind.ACCEPTANCE),
                              invoice="44031299")
    flow.pay(final)
    contract.refresh_from_db()
    return SimpleNamespace(case=case, purchase=Purchase.objects.get(case=case), contract=contract,
                           payments=list(Payment.objects.filter(contract=contract).order_by("id")), supplements=[sup],
                           acceptance=acc)


@pytest.fixture
def small(flow):
    return build_small(flow)


@pytest.fixture
def large(flow):
    return build_large(flow)
