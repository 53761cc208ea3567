"""A travel reimbursement (差旅费) and a meeting expense (会议费) are filed, approved, paid at
the desk over HTTP and executed on their budget lines; the figures agree with SQL sums."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from approvals.models import Action
from budget import selectors as budget_selectors
from core import events
from payments.models import Payment

from .conftest import executed_on, paid_on_case, pay_post


def test_travel_reimbursement_is_paid_at_the_desk_and_executed_on_its_line(office, money, approved_case, cashier_client):
    case = approved_case("3200.00")
    desk = cashier_client.get(reverse("payments:desk"))
    assert desk.status_code == 200
    html = desk.content.decode()
    assert case.number in html and "出纳付款台" in html and "¥3,200.00" in html

    page = cashier_client.get(reverse("payments:case", args=[case.pk]))
    assert page.status_code == 200 and 'data-testid="pay-form"' in page.content.decode()

    # a partial payment, then the rest
    r = cashier_client.post(reverse("payments:case", args=[case.pk]), pay_post(case, amount="2000.00"))
    assert r.status_code == 302
    r = cashier_client.post(reverse("payments:case", args=[case.pk]), pay_post(case, amount="1,200.00"), follow=True)
    assert "已支付" in r.content.decode() or "付款" in r.content.decode()

    assert paid_on_case(case) == Decimal("3200.00")
    assert executed_on(money.travel_line) == Decimal("3200.00")
    figures = budget_selectors.line_figures(money.travel_line)
    assert figures.available == Decimal("20000.00") - Decimal("3200.00")
    payment = Payment.objects.filter(case=case).order_by("id").first()
    assert payment.payee_name == office.clerk.get_full_name()
    assert payment.bank_account == "6222021001001234567"
    assert payment.source_key == "reimbursement"
    assert Action.objects.filter(case=case, kind=Action.Kind.PAY).count() == 2
    # nothing left: the case leaves the desk's list
    assert case.number not in cashier_client.get(reverse("payments:desk")).content.decode()


def test_meeting_expense_paid_to_the_hotel_against_its_invoice(office, money, approved_case, cashier_client):
    case = approved_case("4500.00", matter=money.meeting, line=money.meeting_line, title="社区工作培训会议")
    r = cashier_client.post(reverse("payments:case", args=[case.pk]), pay_post(
        case, payee="other", other_kind="organisation", other_name="新桥宾馆有限公司", bank_name="中国银行",
        bank_account="1001 2002 3003", amount="4500.00", invoice_code="044 001 900 111", invoice_number="1234 5678"))
    assert r.status_code == 302
    payment = Payment.objects.get(case=case)
    assert (payment.invoice_code, payment.invoice_number) == ("044001900111", "12345678")
    assert payment.payee_kind == "organisation"
    assert executed_on(money.meeting_line) == Decimal("4500.00")
    assert budget_selectors.line_figures(money.meeting_line).available == Decimal("5500.00")


@pytest.mark.django_db(transaction=True)
def test_payment_paid_event_is_delivered_after_commit(office, money, approved_case, cashier_client):
    seen = []
    events.subscribe("payment.paid", key="tests.payments", fn=lambda e: seen.append(e.payload))
    try:
        case = approved_case("800.00")
        cashier_client.post(reverse("payments:case", args=[case.pk]), pay_post(case, amount="800.00"))
        assert seen and seen[0]["case_id"] == case.pk and seen[0]["amount"] == "800.00"
        # a refused payment emits nothing
        cashier_client.post(reverse("payments:case", args=[case.pk]), pay_post(case, amount="1.00"))
        assert len(seen) == 1
    finally:
        events.unsubscribe("payment.paid", key="tests.payments")


def test_refund_executes_negative_and_frees_the_cap(office, money, approved_case, cashier_client):
    case = approved_case("1000.00")
    cashier_client.post(reverse("payments:case", args=[case.pk]), pay_post(case, amount="1000.00"))
    payment = Payment.objects.get(case=case)
    r = cashier_client.post(reverse("payments:refund", args=[payment.pk]),
                            {"amount": "300.00", "paid_on": payment.paid_on.isoformat(), "bank_reference": "TK01"})
    assert r.status_code == 302
    assert paid_on_case(case) == Decimal("700.00")
    assert executed_on(money.travel_line) == Decimal("700.00")
    refund = Payment.objects.get(case=case, amount__lt=0)
    assert refund.refund_of == payment and refund.amount == Decimal("-300.00")


def test_desk_list_runs_a_fixed_number_of_queries(office, money, approved_case, cashier_client,
                                                   django_assert_max_num_queries):
    approved_case("100.00")
    cashier_client.get(reverse("payments:desk"))  # warm the session
    with django_assert_max_num_queries(12) as few:
        cashier_client.get(reverse("payments:desk"))
    for i in range(6):
        approved_case(f"{100 + i}.00", title=f"差旅{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = cashier_client.get(reverse("payments:desk"))
    assert r.content.decode().count('data-testid="desk-row"') == 7


def test_supervisor_reads_the_desk_and_pays_nothing(client, office, money, approved_case):
    case = approved_case("500.00")
    client.force_login(office.supervisor)
    assert client.get(reverse("payments:desk")).status_code == 200
    page = client.get(reverse("payments:case", args=[case.pk])).content.decode()
    assert 'data-testid="pay-form"' not in page
    r = client.post(reverse("payments:case", args=[case.pk]), pay_post(case, amount="500.00"))
    assert r.status_code in (302, 403)
    assert not Payment.objects.exists()


@pytest.mark.parametrize("who", ["clerk", "head", "leader", "finance_reviewer"])
def test_the_desk_is_closed_to_everyone_else(client, office, money, approved_case, who):
    case = approved_case("500.00")
    client.force_login(getattr(office, who))
    assert client.get(reverse("payments:desk")).status_code == 403
    assert client.get(reverse("payments:case", args=[case.pk])).status_code == 403
    assert client.post(reverse("payments:case", args=[case.pk]), pay_post(case, amount="500.00")).status_code == 403
    assert not Payment.objects.exists()
