"""The case page as people use it: on a phone (390 × 844) status, actions and route come first
and the trail is folded away; on a desktop two columns; the people picker searches by name,
unit and position and says so when nobody matches."""

from __future__ import annotations

import re

import pytest

from approvals.models import Action, StepAssignee

from .conftest import PHONE
from .flows import approve_until, file_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _top(page, testid):
    return page.get_by_test_id(testid).bounding_box()


def test_case_page_on_a_phone_shows_status_actions_and_route_first(open_session, office, seeded):
    case = file_case(matter=seeded.matters["CW-SQSP"], applicant=office.clerk, amount="3200.00", title="社区活动宣传品")
    case = approve_until(case, "leader")
    s = open_session(viewport=PHONE, mobile=True).sign_in(office.leader, office.password)
    page = s.page
    page.goto(f"/approvals/case/{case.pk}/")
    status, box, route, content = (_top(page, t) for t in ("case-status", "decision-box", "route-card", "content-column"))
    assert status["y"] < box["y"] < route["y"] < content["y"]  # status and actions, then the route, then the content
    trail = page.get_by_test_id("trail-card")
    assert trail.get_attribute("open") is None  # folded on the phone
    assert not page.get_by_test_id("trail").is_visible()
    assert not page.locator("[data-testid=trail-hash] code").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 5 * PHONE["height"], height  # short: the trail and comment cards are folded
    trail.locator("summary.card-header").click()
    assert page.get_by_test_id("trail").is_visible()
    s.shot("case_page_phone")
    s.assert_clean()


def test_case_page_on_a_desktop_has_two_columns_and_the_trail_open(open_session, office, seeded):
    case = file_case(matter=seeded.matters["CW-SQSP"], applicant=office.clerk, amount="3200.00", title="社区活动宣传品")
    s = open_session().sign_in(office.clerk, office.password)
    page = s.page
    page.goto(f"/approvals/case/{case.pk}/")
    route, content = _top(page, "route-card"), _top(page, "content-column")
    assert route["x"] > content["x"] + content["width"] - 5 and abs(route["y"] - content["y"]) < 5
    assert page.get_by_test_id("trail-card").get_attribute("open") is not None
    assert page.get_by_test_id("trail").is_visible()
    s.assert_clean()


def test_the_picker_searches_people_and_hands_over(open_session, office, seeded):
    case = file_case(matter=seeded.matters["CW-SQSP"], applicant=office.clerk, amount="3200.00", title="办公用品")
    case = approve_until(case, "leader")
    s = open_session(viewport=PHONE, mobile=True).sign_in(office.leader, office.password)
    page = s.page
    page.goto(f"/approvals/case/{case.pk}/")
    page.get_by_test_id("more-actions").locator("summary").click()
    search = page.get_by_test_id("picker-search-person")
    search.fill("没有这个人")
    page.get_by_test_id("people-none").filter(has_text="无匹配人员").wait_for()
    search.fill("分管财政")  # a position
    option = page.get_by_test_id("person-option").filter(has_text="陈建国")
    option.wait_for()
    assert page.get_by_test_id("person-option").count() == 1
    search.press("Enter")  # filters, never submits the decision form
    assert page.url.endswith(f"/approvals/case/{case.pk}/")
    option.locator("input").check()
    page.get_by_test_id("handover").click()
    page.wait_for_url(re.compile(rf".*/approvals/case/{case.pk}/$"))
    assert Action.objects.filter(case=case, kind="handover", actor=office.leader, comment__contains="陈建国").exists()
    assert StepAssignee.objects.filter(step_id=case.current_step_id, user__full_name="陈建国", decision="").exists()
    s.assert_clean()
