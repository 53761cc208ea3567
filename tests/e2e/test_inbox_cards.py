"""The one inbox in the browser: on a phone (390×844) a list of cards — title, applicant,
amount, waiting since, the action — and a top bar on one line, nothing sticking out sideways;
on a desk the same list is a table. The stand-in is named before the decision."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from approvals.models import Delegation

from .conftest import DESKTOP, PHONE
from .flows import approve_until, file_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


def _pending_for_leader(office, seeded, n=3):
    cases = []
    for i in range(n):
        case = file_case(matter=seeded.matters["CW-SQSP"], applicant=office.clerk, amount=f"{3200 + i}.00",
                         title=f"社区志愿者培训资料印制第{i + 1}批（含封面设计、装订及配送到各网格服务站）")
        cases.append(approve_until(case, "leader"))
    return cases


def test_the_inbox_is_a_list_of_cards_on_a_phone(open_session, office, seeded):
    cases = _pending_for_leader(office, seeded)
    s = open_session(viewport=PHONE, mobile=True).sign_in(office.leader, office.password)
    page = s.page
    page.goto("/approvals/")
    # the top bar is one line: every item of it sits within one bar's height
    bar = page.locator("nav.topbar").bounding_box()
    assert bar["height"] < 64, bar
    for sel in (".navbar-brand", "[data-testid=current-user]", "[data-testid=inbox-count]"):
        box = page.locator(f"nav.topbar {sel}").bounding_box()
        assert box["y"] >= bar["y"] - 12 and box["y"] + box["height"] <= bar["y"] + bar["height"] + 12, sel
    assert page.evaluate(NO_OVERFLOW)
    assert page.get_by_test_id("count-pending").inner_text() == "3"
    rows = page.get_by_test_id("case-row")
    assert rows.count() == 3
    assert page.eval_on_selector("[data-testid=case-table] thead", "el => getComputedStyle(el).display") == "none"
    for i in range(3):
        card = rows.nth(i)
        assert card.evaluate("el => getComputedStyle(el).display") == "block"
        box = card.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        text = card.inner_text()
        assert "社区志愿者培训资料印制" in text
        assert office.clerk.get_full_name() in text
        assert re.search(r"¥3,20\d\.00", text)
        assert re.search(r"\d\d-\d\d \d\d:\d\d", text)  # waiting since
        assert card.get_by_test_id("case-open").is_visible()
    rows.filter(has_text=cases[0].number).get_by_test_id("case-open").click()
    page.wait_for_url(re.compile(rf".*/approvals/case/{cases[0].pk}/$"))
    assert page.evaluate(NO_OVERFLOW)
    s.shot("inbox_cards_on_phone")
    s.assert_clean()


def test_the_inbox_is_a_table_on_a_desk_and_names_the_stand_in(open_session, office, seeded):
    cases = _pending_for_leader(office, seeded, n=2)
    today = timezone.localdate()
    Delegation.objects.create(principal=office.leader, deputy=office.finance_leader, start=today, end=today + dt.timedelta(days=2))
    s = open_session(viewport=DESKTOP).sign_in(office.leader, office.password)
    page = s.page
    page.goto("/approvals/")
    assert page.eval_on_selector("[data-testid=case-table] thead", "el => getComputedStyle(el).display") != "none"
    assert page.get_by_test_id("case-row").first.evaluate("el => getComputedStyle(el).display") == "table-row"
    assert page.evaluate(NO_OVERFLOW)
    # the sort links keep the filter
    page.goto("/approvals/?q=%E5%9F%B9%E8%AE%AD")
    page.get_by_role("link", name="金额").click()
    page.wait_for_url(re.compile(r".*sort=-amount.*"))
    assert "q=%E5%9F%B9%E8%AE%AD" in page.url
    assert page.get_by_test_id("case-row").count() == 2
    # the clerk sees the stand-in before the leader's decision
    clerk = open_session(viewport=PHONE, mobile=True).sign_in(office.clerk, office.password)
    clerk.page.goto(f"/approvals/case/{cases[0].pk}/")
    holder = clerk.page.get_by_test_id("now-at-holder").first.inner_text()
    assert holder == f"{office.leader.get_full_name()}（{office.finance_leader.get_full_name()}代）"
    assert clerk.page.evaluate(NO_OVERFLOW)
    clerk.shot("now_at_stand_in_phone")
    s.assert_clean()
    clerk.assert_clean()
