"""A clerk signs in and files a spending form with an attachment, choosing the budget line in
the form's budget section; the route and the budget check appear while typing."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from approvals.models import Case
from documents.models import Document
from budget import selectors as budget_selectors
from budget.models import BudgetMovement

from .conftest import PDF_BYTES
from .flows import office_line

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_clerk_files_a_spending_form_with_an_attachment(open_session, office, seeded):
    line = office_line(office.unit, "30201")
    available_before = budget_selectors.line_figures(line).available
    s = open_session().sign_in(office.clerk, office.password)
    page = s.page

    page.get_by_test_id("sidenav").get_by_role("link", name="我的申请").click()
    page.get_by_test_id("new-case").click()
    page.get_by_test_id("matter-CW-SQSP").click()
    page.wait_for_url(re.compile(r".*/approvals/new/\d+/$"))
    assert page.get_by_test_id("regulations").inner_text().startswith("支出必须以经批准的预算为依据")

    page.fill("#id_title", "购置会议室投影仪")
    page.fill("#id_reason", "会议室投影仪损坏，影响日常会议。")
    page.select_option("#id_budget-line", str(line.pk))
    page.locator("input[name=amount]").press_sequentially("6800", delay=20)
    preview = page.get_by_test_id("route-preview")
    # the amount in capitals, the budget check and the route, while typing (htmx)
    preview.get_by_test_id("amount-capitals").filter(has_text="陆仟捌佰元整").wait_for()
    assert "部门负责人" in preview.inner_text()
    assert "可用" in preview.get_by_test_id("live-check").first.inner_text()
    page.set_input_files("#file_other", files=[{"name": "投影仪报价单.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}])
    page.get_by_test_id("submit").click()
    page.wait_for_url(re.compile(r".*/approvals/case/\d+/$"))

    case = Case.objects.get(title="购置会议室投影仪")
    assert page.get_by_test_id("case-status").inner_text() == "审批中"
    assert page.get_by_test_id("case-number").inner_text() == case.number
    assert "¥6,800.00" in page.get_by_test_id("case-amount").inner_text()
    assert "部门负责人" in page.get_by_test_id("where").inner_text()
    assert page.get_by_test_id("budget-state").inner_text() == "已预占（审批中）"
    attachments = page.get_by_test_id("attachments")
    assert "投影仪报价单.pdf" in attachments.inner_text()

    # what the page says is what the database holds
    assert case.status == Case.Status.IN_PROGRESS and case.applicant == office.clerk and case.amount == Decimal("6800.00")
    att = Document.objects.get(case=case)
    assert (att.original_name, att.size, att.content_type) == ("投影仪报价单.pdf", len(PDF_BYTES), "application/pdf")
    reserve = BudgetMovement.objects.get(case=case, kind="reserve")
    assert (reserve.line_id, reserve.amount, reserve.stage) == (line.pk, Decimal("6800.00"), "pending")
    assert budget_selectors.line_figures(line).available == available_before - Decimal("6800.00")

    # the attachment comes back byte for byte through the permission-checked link
    with page.expect_download() as info:
        attachments.get_by_role("link", name="投影仪报价单.pdf").click()
    download = info.value
    assert download.suggested_filename == "投影仪报价单.pdf"
    assert open(download.path(), "rb").read() == PDF_BYTES

    s.shot("01_clerk_filed_spending_form")
    s.assert_clean()
