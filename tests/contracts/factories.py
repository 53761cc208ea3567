"""Contract test data made directly (no approval routing): a signed contract with its payment
terms and a paid milestone, for list pages and exports whose query count must not depend on how
many contracts there are."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from approvals.models import Case
from contracts.models import Contract, Payment, PaymentTerm
from tests.approvals.factories import CaseFactory, MatterFactory
from tests.procurement.factories import SupplierFactory


def _contract_matter():
    return MatterFactory(code="T-HT", name="测试合同", stages=["contract"])


class ContractFactory(DjangoModelFactory):
    class Meta:
        model = Contract

    case = factory.SubFactory(CaseFactory, matter=factory.LazyFunction(_contract_matter), status=Case.Status.APPROVED)
    unit = factory.LazyAttribute(lambda o: o.case.unit)
    supplier = factory.SubFactory(SupplierFactory)
    number = factory.Sequence(lambda n: f"T-HT-{n:05d}")
    title = factory.Sequence(lambda n: f"合同{n}")
    category = "goods"
    amount = Decimal("1000.00")
    original_amount = factory.LazyAttribute(lambda o: o.amount)
    signed_on = factory.LazyFunction(dt.date.today)
    start_date = factory.LazyAttribute(lambda o: o.signed_on)
    end_date = factory.LazyAttribute(lambda o: o.signed_on)
    status = Contract.Status.ACTIVE


class PaymentTermFactory(DjangoModelFactory):
    class Meta:
        model = PaymentTerm

    contract = factory.SubFactory(ContractFactory)
    seq = factory.Sequence(lambda n: n + 1)
    kind = "advance"
    amount = Decimal("300.00")
    trigger = "signing"


class ContractPaymentFactory(DjangoModelFactory):
    """A contract payment request already paid (the state the execution table reads)."""

    class Meta:
        model = Payment

    term = factory.SubFactory(PaymentTermFactory)
    contract = factory.LazyAttribute(lambda o: o.term.contract)
    case = factory.SubFactory(CaseFactory, matter=factory.LazyFunction(_contract_matter),
                              applicant=factory.SelfAttribute("..contract.case.applicant"))
    supplier = factory.LazyAttribute(lambda o: o.contract.supplier)
    unit = factory.LazyAttribute(lambda o: o.contract.unit)
    amount = factory.LazyAttribute(lambda o: o.term.amount)
    invoice_number = factory.Sequence(lambda n: f"INV{n:06d}")
    invoice_date = factory.LazyFunction(dt.date.today)
    invoice_amount = factory.LazyAttribute(lambda o: o.amount)
    status = Payment.Status.PAID
    paid_on = factory.LazyFunction(dt.date.today)


__all__ = ["ContractFactory", "ContractPaymentFactory", "PaymentTermFactory"]
