"""The administrator lowers an approval threshold in the admin and the next form routes by
it; a form prints as a PDF in Chinese with its approval trail."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from approvals.models import Case, Policy, RouteStep

from .flows import approve_until, file_case, office_line

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_administrator_lowers_a_threshold_and_the_next_form_routes_by_it(open_session, office, seeded):
    tier = Policy.objects.get(matter__isnull=True, category="", stage="", min_amount=Decimal("10000"))
    admin = open_session().sign_in(office.admin, office.password)
    page = admin.page
    page.get_by_test_id("sidenav").get_by_role("link", name="管理").click()
    page.get_by_role("link", name="审批策略（分级授权）").first.click()
    page.get_by_role("link", name=tier.name).click()
    page.wait_for_url(re.compile(rf".*/admin/approvals/policy/{tier.pk}/change/$"))
    page.fill("#id_min_amount", "5000.00")
    page.locator("input[name=_save]").click()
    page.wait_for_url(re.compile(r".*/admin/approvals/policy/$"))
    assert page.locator(".messagelist .success").count() == 1
    tier.refresh_from_db()
    assert tier.min_amount == Decimal("5000.00")
    admin.shot("05a_admin_changed_threshold")
    admin.assert_clean()

    # the clerk's next form of ¥6,000 now needs the leader in charge of finance as well
    clerk = open_session().sign_in(office.clerk, office.password)
    page = clerk.page
    page.goto("/approvals/new/")
    page.get_by_test_id("matter-CW-SQSP").click()
    page.fill("#id_title", "社区活动场地租赁")
    page.select_option("#id_budget-line", str(office_line(office.unit, "30201").pk))
    page.locator("input[name=amount]").press_sequentially("6000", delay=20)
    preview = page.get_by_test_id("route-preview")
    preview.get_by_test_id("amount-capitals").filter(has_text="陆仟元整").wait_for()
    preview.get_by_text("分管财务领导").wait_for()
    assert tier.name in preview.inner_text()
    page.get_by_test_id("submit").click()
    page.wait_for_url(re.compile(r".*/approvals/case/\d+/$"))
    case = Case.objects.get(title="社区活动场地租赁")
    assert case.policy_id == tier.pk
    kinds = list(RouteStep.objects.filter(case=case).order_by("order").values_list("kind", flat=True))
    assert kinds == ["unit_head", "finance_review", "leader", "finance_leader"]
    assert "分管财务领导" in page.get_by_test_id("route").inner_text()
    clerk.shot("05b_next_form_routed_by_new_threshold")
    clerk.assert_clean()


def test_a_form_prints_as_pdf_in_chinese_with_its_trail(open_session, office, seeded):
    case = file_case(matter=seeded.matters["CW-SQSP"], applicant=office.clerk, amount="12345.67", title="街道便民服务点设备维修")
    approve_until(case, "leader")

    s = open_session().sign_in(office.clerk, office.password)
    page = s.page
    page.goto(f"/approvals/case/{case.pk}/")
    link = page.get_by_test_id("print")
    assert link.inner_text().strip() == "打印（PDF）"
    # the same request the link makes, with the person's session (Chromium would show it in its viewer)
    response = page.context.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.body()))
    text = "".join(p.extract_text() for p in reader.pages).replace(" ", "").replace("\n", "")
    for expected in (case.number, "街道便民服务点设备维修", "公共服务办公室", "壹万贰仟叁佰肆拾伍元陆角柒分",
                     "部门负责人", "财务审核", "分管领导", "同意"):
        assert expected in text, expected
    fonts = set()
    for pdf_page in reader.pages:
        for ref in (pdf_page["/Resources"].get_object().get("/Font") or {}).values():
            fonts.add(str(ref.get_object().get("/BaseFont")))
    assert any("WenQuanYi" in f or "CJK" in f or "Noto" in f for f in fonts), fonts  # a Chinese font is embedded
    s.shot("06_case_page_with_print_button")
    s.assert_clean()
