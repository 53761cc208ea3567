"""The payment desk in the browser: a travel reimbursement filed and approved, then the
cashier finds it at 出纳付款台, pays it to the applicant, and it leaves the list; the
supervisor sees the desk without a pay button."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from approvals.models import Matter
from tests.e2e.conftest import _media, browser, open_session, seeded  # noqa: F401  (the browser harness)
from tests.e2e.flows import file_case, office_line

from .conftest import approve_all, executed_on

pytestmark = pytest.mark.e2e


def test_the_cashier_pays_a_travel_reimbursement_at_the_desk(open_session, office, seeded):
    Matter.objects.filter(code="CW-CLF").update(required_attachments=[])
    matter = Matter.objects.get(code="CW-CLF")
    line = office_line(office.unit, "30211")
    before = executed_on(line)
    case = approve_all(file_case(matter=matter, applicant=office.clerk, amount="1860.00", title="赴省城参加业务培训差旅",
                                 line=line))

    s = open_session().sign_in(office.cashier, office.password)
    page = s.page
    page.get_by_test_id("sidenav").get_by_role("link", name="出纳付款台").click()
    row = page.get_by_test_id("desk-row").filter(has_text=case.number)
    assert "¥1,860.00" in row.inner_text()
    row.get_by_test_id("open-case").click()
    page.wait_for_url(re.compile(rf".*/payments/case/{case.pk}/$"))
    form = page.get_by_test_id("pay-form")
    form.get_by_label("开户银行").fill("中国建设银行新桥支行")
    form.get_by_label("银行账号").fill("6217 0000 1111 2222")
    form.get_by_label("银行流水号").fill("JH20260088")
    assert form.get_by_label("金额（元）").input_value() == "1860.00"
    page.once("dialog", lambda d: d.accept())
    form.get_by_test_id("pay").click()
    page.get_by_test_id("left").filter(has_text="¥0.00").wait_for()
    assert "已付款：¥1,860.00" in page.content()
    assert "6217000011112222" in page.get_by_test_id("case-payments").inner_text()
    s.shot("payments_01_cashier_paid_reimbursement")
    s.assert_clean()
    assert executed_on(line) - before == Decimal("1860.00")
    page.get_by_test_id("sidenav").get_by_role("link", name="出纳付款台").click()
    assert page.get_by_test_id("desk-row").filter(has_text=case.number).count() == 0

    sup = open_session().sign_in(office.supervisor, office.password)
    sup.page.goto(f"/payments/case/{case.pk}/")
    assert sup.page.get_by_test_id("pay-form").count() == 0
    assert "¥1,860.00" in sup.page.get_by_test_id("case-payments").inner_text()
    sup.assert_clean()


def test_a_meeting_expense_is_filed_approved_and_paid_to_the_hotel_in_the_browser(open_session, office, seeded):
    """会议费: the clerk files it with its two materials, the unit head approves it from the
    inbox, the rest of the route approves; the cashier sees the form's materials, pays the
    hotel against its invoice, attaches the invoice scan, and the line is executed."""
    from approvals.models import Case
    from documents.selectors import documents_of
    from payments.models import Payment
    from tests.e2e.conftest import PDF_BYTES

    matter = Matter.objects.get(code="CW-HYF")
    assert matter.required_attachments == ["会议通知", "会议费预算表"]
    line = office_line(office.unit, "30215")
    before = executed_on(line)

    clerk = open_session().sign_in(office.clerk, office.password)
    page = clerk.page
    page.goto(f"/approvals/new/{matter.pk}/")
    page.fill("#id_title", "社区网格员业务培训会议")
    page.fill("#id_reason", "组织全街道网格员开展业务培训，会期一天。")
    page.select_option("#id_budget-line", str(line.pk))
    page.locator("input[name=amount]").press_sequentially("4200", delay=20)
    for i, name in enumerate(["会议通知.pdf", "会议费预算表.pdf"]):
        page.set_input_files(f"#file_{i}", files=[{"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}])
    page.get_by_test_id("submit").click()
    page.wait_for_url(re.compile(r".*/approvals/case/\d+/$"))
    case = Case.objects.get(title="社区网格员业务培训会议")
    assert case.status == Case.Status.IN_PROGRESS and case.matter == matter
    clerk.assert_clean()

    head = open_session().sign_in(office.head, office.password)
    head.page.goto(f"/approvals/case/{case.pk}/")
    box = head.page.get_by_test_id("decision-box")
    box.get_by_test_id("decision-comment").fill("同意。")
    box.get_by_test_id("approve").click()
    head.page.wait_for_url(re.compile(rf".*/approvals/case/{case.pk}/$"))
    case.refresh_from_db()
    assert case.status != Case.Status.DRAFT
    head.assert_clean()
    case = approve_all(case)

    s = open_session().sign_in(office.cashier, office.password)
    page = s.page
    page.get_by_test_id("sidenav").get_by_role("link", name="出纳付款台").click()
    page.get_by_test_id("desk-row").filter(has_text=case.number).get_by_test_id("open-case").click()
    page.wait_for_url(re.compile(rf".*/payments/case/{case.pk}/$"))
    form = page.get_by_test_id("pay-form")
    form.locator("select[name=payee]").select_option("other")
    form.locator("select[name=other_kind]").select_option("organisation")
    form.get_by_label("其他收款方名称").fill("深圳市新桥宾馆有限公司")
    form.get_by_label("开户银行").fill("中国银行新桥支行")
    form.get_by_label("银行账号").fill("7550 1234 5678")
    form.get_by_label("发票代码").fill("044031900111")
    form.get_by_label("发票号码").fill("20261203")
    assert form.get_by_label("金额（元）").input_value() == "4200.00"
    page.once("dialog", lambda d: d.accept())
    form.get_by_test_id("pay").click()
    page.get_by_test_id("left").filter(has_text="¥0.00").wait_for()
    payments = page.get_by_test_id("case-payments")
    assert "深圳市新桥宾馆有限公司" in payments.inner_text() and "20261203" in payments.inner_text()
    upload = page.get_by_test_id("scan-upload")
    upload.locator("input[type=file]").set_input_files(
        files=[{"name": "会议费发票.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}])
    upload.locator("button[type=submit]").click()
    page.get_by_test_id("case-payments").get_by_role("link", name="会议费发票.pdf").wait_for()
    s.shot("payments_02_cashier_paid_meeting_expense")
    s.assert_clean()

    paid = Payment.objects.get(case=case)
    assert (paid.payee_kind, paid.amount, paid.invoice_code, paid.invoice_number) == (
        "organisation", Decimal("4200.00"), "044031900111", "20261203")
    assert [d.original_name for d in documents_of(paid)] == ["会议费发票.pdf"]
    assert executed_on(line) - before == Decimal("4200.00")
