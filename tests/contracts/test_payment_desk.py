"""Contract payments go through the one payment desk (payments) and keep the contract's
figures: the approved payment is listed at the desk, paid there to the supplier only, in
full, executed on the contract's line using its commitment; a voided payment puts the
contract payment back to approved; and the data migration moves paid contract payments."""

from __future__ import annotations

from decimal import Decimal as D
from importlib import import_module

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from budget.selectors import line_figures
from contracts import services as contract_services
from contracts.models import Payment
from payments import services as payment_services
from payments.exceptions import PaymentError
from payments.models import Payment as Disbursement


@pytest.fixture
def contract(flow):
    _case, contract = flow.full_contract()
    return contract  # 76,000: advance 30% (reached on signing), 70% on acceptance


def _msgs(r) -> str:
    return " ".join(str(m) for m in get_messages(r.wsgi_request))


def test_an_approved_contract_payment_is_paid_at_the_desk(client, flow, contract):
    payment = flow.payment_case(contract, "22800.00")
    client.force_login(flow.o.cashier)
    desk = client.get(reverse("payments:desk")).content.decode()
    assert payment.case.number in desk
    page = client.get(reverse("payments:case", args=[payment.case.pk])).content.decode()
    assert contract.number in page and contract.supplier.name in page
    r = client.post(reverse("payments:case", args=[payment.case.pk]), {
        "payee": f"supplier:{contract.supplier_id}", "amount": "22800.00", "paid_on": flow.today.isoformat(),
        "bank_reference": "CZ001", "bank_name": "", "bank_account": "", "invoice_code": "", "invoice_number": "",
    })
    assert r.status_code == 302, _msgs(r)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID and payment.paid_by == flow.o.cashier
    d = Disbursement.objects.get(case=payment.case)
    assert (d.source_key, d.source_id, d.payee_ref, d.invoice_number) == ("contract", payment.pk, contract.supplier_id,
                                                                          payment.invoice_number)
    assert contract_services.contract_figures(contract).paid == D("22800.00")
    assert line_figures(flow.line).paid == D("22800.00")
    assert payment.case.number not in client.get(reverse("payments:desk")).content.decode()


def test_a_contract_payment_goes_to_the_supplier_only_and_in_full(flow, contract):
    payment = flow.payment_case(contract, "22800.00")
    with pytest.raises(PaymentError, match="只能付给"):
        payment_services.pay(case=payment.case, actor=flow.o.cashier, amount="22800.00", payee_kind="organisation",
                             payee_name="别的公司", bank_name="b", bank_account="1", invoice_number=payment.invoice_number)
    with pytest.raises(Exception, match="22,800.00"):
        payment_services.pay(case=payment.case, actor=flow.o.cashier, amount="10000.00", payee_kind="supplier",
                             payee_ref=contract.supplier_id)
    with pytest.raises(PaymentError, match="不是审批通过的发票|not the one approved|发票"):
        payment_services.pay(case=payment.case, actor=flow.o.cashier, amount="22800.00", payee_kind="supplier",
                             payee_ref=contract.supplier_id, invoice_number="99999999")
    assert not Disbursement.objects.exists()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.APPROVED


def test_voiding_a_contract_payment_puts_it_back_to_approved(flow, contract):
    payment = flow.payment_case(contract, "22800.00")
    flow.pay(payment)
    d = Disbursement.objects.get(case=payment.case)
    with pytest.raises(PaymentError, match="补充协议"):
        payment_services.refund(payment=d, actor=flow.o.cashier, amount="100.00")
    payment_services.payment_void(payment=d, actor=flow.o.cashier, reason="银行退票")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.APPROVED and payment.paid_by is None
    assert contract_services.contract_figures(contract).paid == D("0.00")
    assert line_figures(flow.line).paid == D("0.00")
    flow.pay(payment)  # and it can be paid again
    assert contract_services.contract_figures(contract).paid == D("22800.00")


def test_the_migration_moves_paid_contract_payments(flow, contract):
    payment = flow.payment_case(contract, "22800.00")
    flow.pay(payment)
    # as before this change: the contract payment paid, no desk record
    Disbursement.objects.all().delete()
    Disbursement.history.all().delete()
    migration = import_module("contracts.migrations.0004_contract_payments_into_payments")
    # the models as the migration sees them (no history signals: the migration writes the entry)
    state_apps = MigrationExecutor(connection).loader.project_state(
        ("contracts", "0004_contract_payments_into_payments")).apps
    migration.forwards(state_apps, connection.schema_editor())
    d = Disbursement.objects.get()
    payment.refresh_from_db()
    assert (d.case_id, d.source_key, d.source_id, d.amount, d.paid_by_id, d.paid_on) == (
        payment.case_id, "contract", payment.pk, payment.amount, payment.paid_by_id, payment.paid_on)
    assert d.history.count() == 1
    migration.forwards(state_apps, connection.schema_editor())  # twice: moved once
    assert Disbursement.objects.count() == 1
    assert contract_services.contract_figures(contract).paid == D("22800.00")
    migration.backwards(state_apps, connection.schema_editor())
    assert not Disbursement.objects.exists()
