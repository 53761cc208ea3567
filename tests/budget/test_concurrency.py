"""The line lock holds under real concurrency: 50 threads, each with its own PostgreSQL
connection, submit at the same moment against a hard line with room for 10."""

from __future__ import annotations

import threading
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import close_old_connections, connection

from budget import selectors, services
from budget.exceptions import BudgetExceeded
from budget.models import BudgetMovement, CaseBudget

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


# --- a burst of clerks over the real HTTP path ------------------------------------------------
CLERKS = 20


def _burst(posts):
    """Each clerk posts with their own test client (own session, own connection) at once."""
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
        t.join(timeout=180)
    close_old_connections()
    return responses, errors


@pytest.fixture
def burst_office(office, year):
    """Twenty clerks of one unit, the seeded catalogue, and a hard line with room for five."""
    from django.test import Client

    from approvals import demo as approvals_demo
    from approvals.models import Matter
    from tests.factories import UserFactory

    approvals_demo.seed()
    matter = Matter.objects.get(code="CW-SQSP")
    matter.stages = ["budget"]
    matter.required_attachments = []
    matter.save()
    line = BudgetLineFactory(unit=office.unit, year=year, amount=Decimal("1000.00"), project="并发填报")
    clerks = [UserFactory(username=f"burst_clerk{i:02d}", unit=office.unit, clerk=True) for i in range(CLERKS)]
    clients = []
    for clerk in clerks:
        c = Client(raise_request_exception=False)
        c.force_login(clerk)
        clients.append(c)
    return SimpleNamespace(matter=matter, line=line, clerks=clerks, clients=clients)


def _assert_five_reserved_and_everyone_else_told(burst, responses, errors, cases):
    assert errors == []
    statuses = sorted(r.status_code for r in responses.values())
    assert len(responses) == CLERKS
    assert statuses == [302] * CLERKS, statuses  # no 500: each clerk is sent on to a page
    figures = selectors.line_figures(burst.line)
    assert figures.in_approval == Decimal("1000.00")
    assert BudgetMovement.objects.filter(line=burst.line, kind="reserve").count() == 5
    submitted = [c for c in cases() if c.status == "in_progress"]
    kept = [c for c in cases() if c.status == "draft"]
    assert len(submitted) == 5
    assert len(kept) == CLERKS - 5  # every refused clerk keeps their form as a draft
    assert all(c.amount == Decimal("200.00") and c.title == "并发购置办公用品" for c in kept)
    assert all(CaseBudget.objects.get(case=c).line_id == burst.line.pk for c in kept)
    for i, r in responses.items():
        page = burst.clients[i].get(r["Location"])
        assert page.status_code == 200
        text = page.content.decode()
        case = [c for c in cases() if c.applicant_id == burst.clerks[i].pk][0]
        if case.status == "draft":
            assert "该指标为刚性控制，不能提交" in text, text[:2000]


@pytest.mark.django_db(transaction=True)
def test_twenty_clerks_filing_new_forms_at_once_get_five_reserved_and_fifteen_budget_messages(burst_office):
    from django.urls import reverse

    from approvals.models import Case

    burst = burst_office
    url = reverse("approvals:create", args=[burst.matter.pk])
    data = {"title": "并发购置办公用品", "reason": "办公需要", "amount": "200.00",
            "budget-line": burst.line.pk, "action": "submit"}
    responses, errors = _burst([lambda c=c: c.post(url, data) for c in burst.clients])

    _assert_five_reserved_and_everyone_else_told(
        burst, responses, errors, lambda: list(Case.objects.filter(matter=burst.matter))
    )


@pytest.mark.django_db(transaction=True)
def test_twenty_clerks_submitting_saved_drafts_at_once_get_five_reserved_and_fifteen_budget_messages(burst_office):
    from django.urls import reverse

    from approvals.models import Case

    burst = burst_office
    create = reverse("approvals:create", args=[burst.matter.pk])
    data = {"title": "并发购置办公用品", "reason": "办公需要", "amount": "200.00", "budget-line": burst.line.pk}
    for c in burst.clients:
        assert c.post(create, {**data, "action": "save"}).status_code == 302
    drafts = {c.applicant_id: c for c in Case.objects.filter(matter=burst.matter)}
    posts = []
    for clerk, client in zip(burst.clerks, burst.clients):
        url = reverse("approvals:edit", args=[drafts[clerk.pk].pk])
        posts.append(lambda c=client, u=url: c.post(u, {**data, "action": "submit"}))
    responses, errors = _burst(posts)

    _assert_five_reserved_and_everyone_else_told(
        burst, responses, errors, lambda: list(Case.objects.filter(matter=burst.matter))
    )
