"""Real concurrency on PostgreSQL: two payments of the same milestone submitted at the same
moment, and one payment paid by two cashiers at once. Each thread has its own connection
and transaction; the contract row lock makes the second see what the first committed."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import transaction

from approvals import services as approval_services
from budget.models import BudgetMovement
from contracts import services as contract_services
from contracts.exceptions import ContractError
from contracts.models import Payment
from org.models import Role
from tests.concurrency import race as _race
from tests.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_the_payment_check_holds_the_contract_lock(flow):
    """The section's submission hook on its own (no case lock around it): two payments of the
    same milestone checked at the same moment, each in its own transaction."""
    _case, contract = flow.full_contract()
    advance = contract.terms.get(kind="advance")
    first = flow.payment_case(contract, "22800.00", term=advance, invoice="44032001", submit=False)
    second = flow.payment_case(contract, "22800.00", term=advance, invoice="44032002", submit=False)

    def submit(payment):
        with transaction.atomic():
            return contract_services.payment_submit(case=payment.case)

    results, errors = _race(lambda: submit(first), lambda: submit(second))
    refused = [e for e in errors if e is not None]
    assert len(refused) == 1, errors
    assert refused[0].code in ("above_allowed", "above_milestone")
    assert Payment.objects.filter(contract=contract, status__in=Payment.HOLDING).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_payments_of_the_same_milestone_at_once_only_one_is_accepted(flow):
    _case, contract = flow.full_contract()
    advance = contract.terms.get(kind="advance")  # 22,800 reached on signing
    first = flow.payment_case(contract, "22800.00", term=advance, invoice="44031001", submit=False)
    second = flow.payment_case(contract, "22800.00", term=advance, invoice="44031002", submit=False)

    results, errors = _race(
        lambda: approval_services.case_submit(case=first.case, actor=first.case.applicant),
        lambda: approval_services.case_submit(case=second.case, actor=second.case.applicant),
    )
    refused = [e for e in errors if e is not None]
    assert len(refused) == 1, errors
    assert isinstance(refused[0], ContractError) and refused[0].code in ("above_allowed", "above_milestone")
    held = Payment.objects.filter(contract=contract, status__in=Payment.HOLDING)
    assert held.count() == 1 and sum(p.amount for p in held) == D("22800.00")


@pytest.mark.django_db(transaction=True)
def test_one_payment_paid_by_two_cashiers_at_once_is_paid_once(flow, office):
    cashier2 = UserFactory(username="chuna2", unit=office.units["czb"], roles=[Role.CASHIER])
    _case, contract = flow.full_contract()
    payment = flow.payment_case(contract, "22800.00")

    results, errors = _race(
        lambda: flow.pay(Payment.objects.get(pk=payment.pk), cashier=office.cashier),
        lambda: flow.pay(Payment.objects.get(pk=payment.pk), cashier=cashier2),
    )
    refused = [e for e in errors if e is not None]
    assert len(refused) == 1, errors
    assert isinstance(refused[0], ContractError) and refused[0].code == "already_paid"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert BudgetMovement.objects.filter(kind="execute").count() == 1
