"""Contract pages: the cashier's pay box on a payment, applying for a payment from the contract page,
refused to another unit."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from contracts.models import Payment
from org.models import Role


@pytest.fixture
def chain(flow):
    case, contract = flow.full_contract()
    payment = flow.payment_case(contract, "22800.00")
    return case, contract, payment


def test_cashier_pays_from_the_payment_page(client, flow, chain):
    _case, _contract, payment = chain
    url = reverse("contracts:payment_detail", args=[payment.pk])
    client.force_login(flow.o.finance_reviewer)  # approved it: no pay box
    assert 'data-testid="pay-box"' not in client.get(url).content.decode()
    client.force_login(flow.o.cashier)
    assert 'data-testid="pay-box"' in client.get(url).content.decode()
    assert payment.case.number in client.get(reverse("contracts:payment_list")).content.decode()
    client.post(reverse("contracts:payment_pay", args=[payment.pk]), {"paid_on": flow.today.isoformat(), "bank_reference": "B1"})
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID and payment.bank_reference == "B1"


def test_apply_for_payment_from_the_contract_page(client, flow, chain):
    _case, contract, payment = chain
    flow.pay(payment)
    flow.acceptance(contract.case)
    client.force_login(flow.o.clerk)
    response = client.post(reverse("contracts:payment_request", args=[contract.pk]))
    new = Payment.objects.exclude(pk=payment.pk).get()
    assert response["Location"] == reverse("approvals:edit", args=[new.case_id])
    assert new.case.amount == D("53200.00") and new.term.kind == "acceptance"
    edit = client.get(response["Location"]).content.decode()
    assert "payment-term" in edit and contract.number in edit


def test_apply_for_payment_is_refused_to_another_unit(client, flow, chain, office):
    _case, contract, _payment = chain
    office.supervisor.roles = [Role.SUPERVISOR]
    client.force_login(office.supervisor)
    client.post(reverse("contracts:payment_request", args=[contract.pk]))
    assert Payment.objects.count() == 1
