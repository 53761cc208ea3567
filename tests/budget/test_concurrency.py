"""The line lock holds under real concurrency: 50 threads, each with its own PostgreSQL
connection, submit at the same moment against a hard line with room for 10."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection

from budget import selectors, services
from budget.exceptions import BudgetExceeded
from budget.models import BudgetMovement

from .factories import BudgetLineFactory

THREADS = 50


def _run_all(targets):
    barrier = threading.Barrier(len(targets))
    outcomes: dict[int, str] = {}
    errors: list[BaseException] = []

    def worker(i, fn):
        try:
            barrier.wait(timeout=30)
            fn()
            outcomes[i] = "ok"
        except BudgetExceeded:
            outcomes[i] = "refused"
        except BaseException as exc:  # anything else fails the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    close_old_connections()
    return outcomes, errors


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_submissions_leave_exactly_ten_reserved(office, new_case, year):
    line = BudgetLineFactory(unit=office.unit, year=year, amount=Decimal("1000.00"), project="并发测试")
    cases = [new_case("100.00", line=line) for _ in range(THREADS)]

    outcomes, errors = _run_all(
        [lambda c=c: services.case_budget_reserve(case=c, actor=office.clerk) for c in cases]
    )

    assert errors == []
    assert list(outcomes.values()).count("ok") == 10
    assert list(outcomes.values()).count("refused") == 40
    figures = selectors.line_figures(line)
    assert figures.in_approval == Decimal("1000.00")
    assert figures.available == Decimal("0.00")
    assert BudgetMovement.objects.filter(line=line, kind="reserve").count() == 10


@pytest.mark.django_db(transaction=True)
def test_simultaneous_payments_never_overdraw_a_hard_line(office, year):
    line = BudgetLineFactory(unit=office.unit, year=year, amount=Decimal("999.99"), project="并发支付")

    outcomes, errors = _run_all(
        [lambda: services.budget_execute(line=line, amount="100.00", source=office.unit) for _ in range(20)]
    )

    assert errors == []
    assert list(outcomes.values()).count("ok") == 9
    assert selectors.line_figures(line).available == Decimal("99.99")
