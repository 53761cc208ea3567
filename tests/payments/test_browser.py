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
