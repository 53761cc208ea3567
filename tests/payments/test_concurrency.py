"""Two cashiers' posts at the same moment over the real HTTP path cannot pay a case above its
cap, nor one invoice twice: the case row lock and the invoice constraint hold."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

from payments.models import Payment
from tests.factories import UserFactory

from .conftest import executed_on, paid_on_case, pay_post


def _burst(posts):
    barrier = threading.Barrier(len(posts))
    responses: dict[int, object] = {}
    errors: list[BaseException] = []

    def worker(i, post):
        try:
            barrier.wait(timeout=30)
            responses[i] = post()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, p)) for i, p in enumerate(posts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    close_old_connections()
    return responses, errors


def _clients(office, n):
    cashiers = [office.cashier] + [UserFactory(username=f"chuna{i}", unit=office.units["czb"], cashier=True)
                                   for i in range(1, n)]
    out = []
    for cashier in cashiers:
        c = Client(raise_request_exception=False)
        c.force_login(cashier)
        out.append(c)
    return out


@pytest.mark.django_db(transaction=True)
def test_two_payments_at_once_never_exceed_the_cap(office, money, approved_case):
    case = approved_case("1000.00")
    clients = _clients(office, 2)
    url = reverse("payments:case", args=[case.pk])
    responses, errors = _burst([lambda c=c: c.post(url, pay_post(case, amount="600.00")) for c in clients])
    assert errors == []
    assert sorted(r.status_code for r in responses.values()) == [200, 302]  # one paid, one shown the refusal
    assert Payment.objects.filter(case=case).count() == 1
    assert paid_on_case(case) == Decimal("600.00")
    assert executed_on(money.travel_line) == Decimal("600.00")
    refused = next(r for r in responses.values() if r.status_code == 200).content.decode()
    assert "超过可支付的 ¥1,000.00" in refused


@pytest.mark.django_db(transaction=True)
def test_one_invoice_on_two_cases_at_once_is_paid_once(office, money, approved_case):
    cases = [approved_case("500.00", matter=money.meeting, line=money.meeting_line, title=f"会议{i}") for i in range(2)]
    clients = _clients(office, 2)
    other = {"payee": "other", "other_kind": "organisation", "other_name": "新桥宾馆", "amount": "500.00",
             "invoice_code": "044001900111", "invoice_number": "12345678"}
    responses, errors = _burst([
        lambda c=c, case=case: c.post(reverse("payments:case", args=[case.pk]), pay_post(case, **other))
        for c, case in zip(clients, cases)
    ])
    assert errors == []
    assert sorted(r.status_code for r in responses.values()) == [200, 302]
    assert Payment.objects.filter(invoice_number="12345678").count() == 1
    assert executed_on(money.meeting_line) == Decimal("500.00")
