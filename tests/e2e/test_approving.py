"""Deciding in the browser: a leader approves from the inbox on a phone; a unit head returns a
form and the clerk revises and resubmits it."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from approvals.models import Action, Case, RouteStep, StepAssignee
from documents.models import Document

from .conftest import PDF_BYTES, PHONE
from .flows import approve_until, file_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_leader_approves_from_the_inbox_on_a_phone(open_session, office, seeded):
    case = file_case(matter=seeded.matters["CW-SQSP"], applicant=office.clerk, amount="3200.00", title="社区志愿者培训资料印制")
    case = approve_until(case, "leader")
    assert office.leader in [a.user for a in case.current_step.assignees.all()]

    s = open_session(viewport=PHONE, mobile=True).sign_in(office.leader, office.password)
    page = s.page
    # the inbox is one tap away in the top bar, with its count
    assert page.get_by_test_id("inbox-count").inner_text() == "1"
    page.get_by_title("待办").click()
    page.wait_for_url(re.compile(r".*/approvals/$"))
    row = page.get_by_test_id("case-row").filter(has_text=case.number)
    assert "社区志愿者培训资料印制" in row.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    row.get_by_role("link", name=case.number).click()
    page.wait_for_url(re.compile(rf".*/approvals/case/{case.pk}/$"))

    box = page.get_by_test_id("decision-box")
    box.get_by_role("button", name="同意。").click()  # a common phrase fills the opinion
    assert box.get_by_test_id("decision-comment").input_value() == "同意。"
    box.get_by_test_id("approve").click()
    page.wait_for_url(re.compile(rf".*/approvals/case/{case.pk}/$"))
    page.get_by_test_id("case-status").filter(has_text="已同意").wait_for()
    assert page.get_by_test_id("decision-box").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED and case.current_step is None
    decided = StepAssignee.objects.get(step__case=case, step__kind="leader", round=case.round)
    assert (decided.decision, decided.decided_by, decided.comment) == ("approved", office.leader, "同意。")
    assert Action.objects.filter(case=case, kind="approve", actor=office.leader).count() == 1
    assert case.budget_link.state == "arranged"
    s.shot("02_leader_approved_on_phone")
    s.assert_clean()


def test_unit_head_returns_a_form_and_the_clerk_resubmits(open_session, office, seeded):
    case = file_case(matter=seeded.matters["CW-SQSP"], applicant=office.clerk, amount="4500.00", title="办公室文件柜购置")

    head = open_session().sign_in(office.head, office.password)
    page = head.page
    page.get_by_test_id("sidenav").get_by_role("link", name="待办").click()
    page.get_by_test_id("case-row").filter(has_text=case.number).get_by_role("link", name=case.number).click()
    box = page.get_by_test_id("decision-box")
    box.get_by_test_id("decision-comment").fill("请补充三家报价单。")
    box.get_by_test_id("return").click()
    page.get_by_test_id("case-status").filter(has_text="已退回").wait_for()
    assert "请补充三家报价单。" in page.get_by_test_id("return-reason").inner_text()
    head.shot("03a_head_returned_form")
    head.assert_clean()

    clerk = open_session().sign_in(office.clerk, office.password)
    page = clerk.page
    page.get_by_test_id("sidenav").get_by_role("link", name="我的申请").click()
    row = page.get_by_test_id("case-row").filter(has_text=case.number)
    assert "已退回" in row.inner_text()
    row.get_by_role("link", name=case.number).click()
    assert "请补充三家报价单。" in page.get_by_test_id("return-reason").inner_text()
    page.get_by_test_id("edit").click()
    page.wait_for_url(re.compile(rf".*/approvals/case/{case.pk}/edit/$"))
    assert "请补充三家报价单。" in page.get_by_test_id("return-reason").inner_text()
    assert page.input_value("#id_title") == "办公室文件柜购置"  # nothing typed twice
    amount = page.locator("input[name=amount]")
    amount.fill("")
    amount.press_sequentially("4200", delay=20)
    page.get_by_test_id("amount-capitals").filter(has_text="肆仟贰佰元整").wait_for()
    page.set_input_files("#file_other", files=[
        {"name": "报价单一.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES},
        {"name": "报价单二.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES + b" "},
    ])
    page.fill("#id_resubmit_comment", "已补充报价单，金额按最低报价调整。")
    page.get_by_test_id("submit").click()
    page.wait_for_url(re.compile(rf".*/approvals/case/{case.pk}/$"))
    assert page.get_by_test_id("case-status").inner_text() == "审批中"
    assert "部门负责人" in page.get_by_test_id("where").inner_text()
    assert "¥4,200.00" in page.get_by_test_id("case-amount").inner_text()

    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS and case.round == 2 and case.amount == Decimal("4200.00")
    assert case.current_step.kind == "unit_head" and case.current_step.status == RouteStep.Status.ACTIVE
    assert sorted(Document.objects.filter(case=case).values_list("original_name", flat=True)) == ["报价单一.pdf", "报价单二.pdf"]
    kinds = list(Action.objects.filter(case=case).order_by("id").values_list("kind", flat=True))
    assert kinds[-1] == "resubmit" and "return" in kinds
    assert Action.objects.get(case=case, kind="resubmit").comment.startswith("已补充报价单")
    # the reservation follows the reduced amount
    held = sum(m.amount for m in case.budget_movements.filter(kind__in=["reserve", "release"]))
    assert held == Decimal("4200.00")
    clerk.shot("03b_clerk_resubmitted_form")
    clerk.assert_clean()

    # the head opens it on a phone: what changed since the return, the note and both rounds,
    # without sideways scrolling
    phone = open_session(viewport=PHONE, mobile=True).sign_in(office.head, office.password)
    phone.page.goto(f"/approvals/case/{case.pk}/")
    card = phone.page.get_by_test_id("resubmission-card")
    assert "本次重新提交的修改" in card.inner_text()
    changes = card.get_by_test_id("change-row")
    assert "¥4,500.00" in changes.filter(has_text="金额").inner_text()
    assert "¥4,200.00" in changes.filter(has_text="金额").inner_text()
    assert "报价单一.pdf" in changes.filter(has_text="新增附件").inner_text()
    assert "已补充报价单，金额按最低报价调整。" in card.get_by_test_id("resubmission-note").inner_text()
    assert card.get_by_test_id("round-row").count() == 2
    assert "请补充三家报价单。" in card.get_by_test_id("round-row").first.inner_text()
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.shot("03c_head_sees_the_changes_on_phone")
    phone.assert_clean()
