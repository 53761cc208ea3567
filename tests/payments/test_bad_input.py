"""Every bad input of the payment desk is refused with its message and nothing is saved: no
payment row, no ledger row, no trail entry."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from approvals.models import Action, Case
from budget.models import BudgetMovement
from org.models import Role
from payments import services
from payments.exceptions import InvalidPaymentStatus, PaymentError
from payments.models import Payment
from procurement.models import Supplier

from .conftest import pay_post


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def _nothing_saved(case, *, payments=0, executes=0):
    assert Payment.objects.filter(case=case).count() == payments
    assert BudgetMovement.objects.filter(case=case, kind="execute").count() == executes
    assert Action.objects.filter(case=case, kind=Action.Kind.PAY).count() == payments


def _pay(case, actor, **kw):
    args = {"amount": "100.00", "payee_kind": "person", "payee_ref": case.applicant_id, "bank_name": "工商银行",
            "bank_account": "6222000011112222"}
    args.update(kw)
    return services.pay(case=case, actor=actor, **args)


def test_above_the_cap_is_refused_over_http(office, approved_case, cashier_client):
    case = approved_case("1000.00")
    r = cashier_client.post(reverse("payments:case", args=[case.pk]), pay_post(case, amount="1000.01"))
    assert "超过可支付的 ¥1,000.00" in _messages(r)
    _nothing_saved(case)
    cashier_client.post(reverse("payments:case", args=[case.pk]), pay_post(case, amount="600.00"))
    r = cashier_client.post(reverse("payments:case", args=[case.pk]), pay_post(case, amount="400.01"))
    assert "已付 ¥600.00" in _messages(r) and "尚可支付 ¥400.00" in _messages(r)
    _nothing_saved(case, payments=1, executes=1)


@pytest.mark.parametrize("code,number", [("044001900111", "12345678"), (" 044 0019 00111", "1234 5678 "),
                                         ("044001900111", "12345678".lower())])
def test_an_invoice_is_paid_once_whatever_the_spaces_and_case(office, money, approved_case, cashier_client, code, number):
    first = approved_case("500.00", matter=money.meeting, line=money.meeting_line, title="会议一")
    second = approved_case("500.00", matter=money.meeting, line=money.meeting_line, title="会议二")
    other = {"payee": "other", "other_kind": "organisation", "other_name": "新桥宾馆", "amount": "500.00"}
    cashier_client.post(reverse("payments:case", args=[first.pk]),
                        pay_post(first, **other, invoice_code="044001900111", invoice_number="12345678"))
    assert Payment.objects.filter(case=first).count() == 1
    r = cashier_client.post(reverse("payments:case", args=[second.pk]),
                            pay_post(second, **other, invoice_code=code, invoice_number=number))
    assert f"已于 {timezone.localdate():%Y-%m-%d} 由 {first.number} 付款" in _messages(r)
    assert "同一张发票只能付款一次" in _messages(r)
    _nothing_saved(second)


def test_an_invoice_with_letters_is_compared_in_upper_case(office, money, approved_case, cashier_client):
    first = approved_case("500.00", matter=money.meeting, line=money.meeting_line, title="会议一")
    second = approved_case("500.00", matter=money.meeting, line=money.meeting_line, title="会议二")
    other = {"payee": "other", "other_kind": "organisation", "other_name": "新桥宾馆", "amount": "500.00"}
    cashier_client.post(reverse("payments:case", args=[first.pk]), pay_post(first, **other, invoice_number="ab 12"))
    r = cashier_client.post(reverse("payments:case", args=[second.pk]), pay_post(second, **other, invoice_number="AB12"))
    assert "同一张发票只能付款一次" in _messages(r)
    _nothing_saved(second)


def test_the_database_refuses_a_second_payment_of_one_invoice(office, money, approved_case):
    """Not only the service's check: the partial unique constraint itself."""
    case = approved_case("500.00")
    _pay(case, office.cashier, payee_kind="organisation", payee_ref=None, payee_name="新桥宾馆", invoice_number="X1")
    p = Payment.objects.get(case=case)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(case=case, source_key="reimbursement", payee_kind="organisation", payee_name="别家",
                               bank_name="b", bank_account="1", amount=Decimal("1.00"), invoice_number="X1",
                               paid_by=office.cashier)
    assert Payment.objects.filter(case=case).count() == 1 and p.invoice_number == "X1"


def test_a_blacklisted_supplier_is_refused(office, money, approved_case, cashier_client):
    Supplier.objects.create(name="失信宾馆有限公司", credit_code="91110000MA01234567", blacklisted=True,
                            blacklist_reason="虚开发票")
    case = approved_case("500.00", matter=money.meeting, line=money.meeting_line)
    r = cashier_client.post(reverse("payments:case", args=[case.pk]), pay_post(
        case, payee="other", other_kind="supplier", other_name="失信宾馆有限公司", amount="500.00", invoice_number="B1"))
    assert "失信宾馆有限公司 已列入黑名单（失信：虚开发票）" in _messages(r)
    _nothing_saved(case)


def test_a_cashier_who_applied_is_refused(office, money, approved_case, client):
    from tests.budget.factories import BudgetLineFactory

    own_line = BudgetLineFactory(unit=office.cashier.unit, economic_code="30211", economic_name="差旅费")
    case = approved_case("300.00", applicant=office.cashier, line=own_line)
    client.force_login(office.cashier)
    r = client.post(reverse("payments:case", args=[case.pk]), pay_post(case, amount="300.00"))
    assert "您是该事项的申请人" in _messages(r)
    with pytest.raises(PaymentError, match="申请人"):
        _pay(case, office.cashier)
    _nothing_saved(case)


def test_a_cashier_who_approved_is_refused(office, approved_case, client):
    office.finance_reviewer.roles = [Role.FINANCE_REVIEWER, Role.CASHIER]
    office.finance_reviewer.save()
    case = approved_case("300.00")
    client.force_login(office.finance_reviewer)
    page = client.get(reverse("payments:case", args=[case.pk])).content.decode()
    assert "您审批过该事项" in page and 'data-testid="pay-form"' not in page
    r = client.post(reverse("payments:case", args=[case.pk]), pay_post(case, amount="300.00"))
    assert "您审批过该事项" in _messages(r)
    _nothing_saved(case)


def test_a_person_outside_the_case_is_refused(office, approved_case, cashier_client):
    case = approved_case("300.00")
    r = cashier_client.post(reverse("payments:case", args=[case.pk]),
                            pay_post(case, payee=f"person:{office.clerk2.pk}", amount="300.00"))
    # the form only offers the case's people: a forged choice is refused by the form ...
    assert "300" not in str(Payment.objects.values_list("amount", flat=True))
    assert _messages(r)
    # ... and by the service, with the rule
    with pytest.raises(PaymentError, match="申请人或本事项列明的人员"):
        _pay(case, office.cashier, payee_ref=office.clerk2.pk)
    _nothing_saved(case)


def test_a_person_copied_on_the_case_may_be_paid(office, approved_case):
    from approvals.models import CaseCopy

    case = approved_case("300.00")
    CaseCopy.objects.create(case=case, user=office.clerk2, created_by=office.clerk)
    p = _pay(case, office.cashier, payee_ref=office.clerk2.pk, amount="300.00")
    assert p.payee_ref == office.clerk2.pk


def test_a_refund_above_what_was_paid_is_refused(office, approved_case, cashier_client):
    case = approved_case("500.00")
    payment = _pay(case, office.cashier, amount="500.00")
    services.refund(payment=payment, actor=office.cashier, amount="200.00")
    r = cashier_client.post(reverse("payments:refund", args=[payment.pk]),
                            {"amount": "300.01", "paid_on": timezone.localdate().isoformat()})
    assert "已退 ¥200.00，最多还可退 ¥300.00" in _messages(r)
    assert Payment.objects.filter(case=case).count() == 2
    assert BudgetMovement.objects.filter(case=case, kind="execute").count() == 2


def test_a_transition_from_the_wrong_state_is_refused(office, approved_case, cashier_client):
    case = approved_case("500.00")
    payment = _pay(case, office.cashier, amount="500.00")
    services.payment_void(payment=payment, actor=office.cashier, reason="银行退票")
    payment.refresh_from_db()
    assert payment.status == "voided" and payment.history.count() == 2
    r = cashier_client.post(reverse("payments:void", args=[payment.pk]), {"reason": "再次作废"})
    assert "此支付当前为“已作废”，不能变为“已作废”" in _messages(r)
    with pytest.raises(InvalidPaymentStatus):
        payment.transition(Payment.Status.VOIDED)
    assert Payment.objects.get(pk=payment.pk).voided_reason == "银行退票"
    # the voided payment gave its execution back; a second void wrote nothing
    assert sum(BudgetMovement.objects.filter(case=case, kind="execute").values_list("amount", flat=True)) == 0
    assert BudgetMovement.objects.filter(case=case, kind="execute").count() == 2


def test_a_case_not_approved_is_refused(office, money, cashier_client):
    from approvals import services as approvals_services
    from budget import services as budget_services

    case = approvals_services.case_create(matter=money.travel, applicant=office.clerk, title="差旅", amount="100")
    budget_services.case_budget_set(case=case, line=money.travel_line)
    approvals_services.case_submit(case=case, actor=office.clerk)
    with pytest.raises(PaymentError, match="只有审批通过的事项才能付款"):
        _pay(case, office.cashier)
    _nothing_saved(case)


@pytest.mark.parametrize("amount,message", [("0", "金额"), ("-5", "金额"), ("1e5", "金额"), ("1.001", "金额")])
def test_bad_amounts_are_refused(office, approved_case, amount, message):
    case = approved_case("500.00")
    with pytest.raises(PaymentError, match=message):
        _pay(case, office.cashier, amount=amount)
    _nothing_saved(case)


def test_a_supplier_payment_without_invoice_is_refused(office, approved_case):
    case = approved_case("500.00")
    with pytest.raises(PaymentError, match="无发票不付款"):
        _pay(case, office.cashier, payee_kind="organisation", payee_ref=None, payee_name="新桥宾馆")
    _nothing_saved(case)
