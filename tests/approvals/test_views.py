"""The form as a person uses it: filing, bad input (clear message, nothing saved), the
decision box, the inbox, and the attachment checks."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from approvals.models import Action, Case
from documents.models import Document

from .conftest import PDF_BYTES, pdf_upload

pytestmark = pytest.mark.django_db


def post_new(client, matter, **data):
    payload = {"title": "购置打印机", "reason": "原打印机损坏", "amount": "3200.00", "action": "submit"}
    payload.update(data)
    return client.post(reverse("approvals:create", args=[matter.pk]), payload)


def test_clerk_files_and_submits_a_spending_form(client, office, spend):
    client.force_login(office.clerk)
    r = post_new(client, spend)
    case = Case.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("approvals:detail", args=[case.pk])
    assert case.status == Case.Status.IN_PROGRESS
    page = client.get(r["Location"]).content.decode()
    assert "¥3,200.00" in page and "叁仟贰佰元整" in page
    assert case.number in page


@pytest.mark.parametrize(
    "amount, message",
    [
        ("-5", "大于零"),
        ("0", "大于零"),
        ("12.345", "2位小数"),
        ("1e30", "过大"),
        ("abc", "数字"),
        ("", "金额"),
    ],
)
def test_bad_amount_shows_a_clear_message_and_saves_nothing(client, office, spend, amount, message):
    client.force_login(office.clerk)
    r = post_new(client, spend, amount=amount)
    assert r.status_code == 400
    assert message in r.content.decode()
    assert Case.objects.count() == 0
    assert Action.objects.count() == 0


def test_missing_title_keeps_what_was_typed(client, office, spend):
    client.force_login(office.clerk)
    r = post_new(client, spend, title="", reason="写了很长的理由")
    body = r.content.decode()
    assert r.status_code == 400
    assert "写了很长的理由" in body and "3200.00" in body
    assert Case.objects.count() == 0


def test_missing_required_attachment_refuses_submission_but_keeps_the_draft(client, office, catalogue):
    client.force_login(office.clerk)
    r = post_new(client, catalogue["CW-HYF"], amount="8000")
    case = Case.objects.get()
    assert case.status == Case.Status.DRAFT
    assert r["Location"] == reverse("approvals:edit", args=[case.pk])
    page = client.get(r["Location"]).content.decode()
    assert "会议通知" in page and "缺少" in page


def test_required_attachments_then_submit(client, office, catalogue):
    client.force_login(office.clerk)
    r = post_new(client, catalogue["CW-HYF"], amount="8000", file_0=pdf_upload("通知.pdf"), file_1=pdf_upload("预算表.pdf"))
    case = Case.objects.get()
    assert case.status == Case.Status.IN_PROGRESS, r
    assert sorted(case.attachments.values_list("kind", flat=True)) == ["会议费预算表", "会议通知"]


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("run.exe", b"MZ\x90\x00" + b"\0" * 100), "不接受"),
        (SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00" + b"\0" * 100), "程序"),
        (SimpleUploadedFile("photo.png", b"%PDF-1.4 not a png"), "不是真正的"),
        (SimpleUploadedFile("script.pdf", b"#!/bin/sh\nrm -rf /"), "程序"),
        (SimpleUploadedFile("empty.pdf", b""), "为空"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_saved(client, office, spend, upload, message):
    client.force_login(office.clerk)
    r = post_new(client, spend, file_other=upload)
    assert r.status_code == 400
    assert message in r.content.decode()
    assert Case.objects.count() == 0 and Document.objects.count() == 0


def test_oversized_upload_is_refused(client, office, spend, settings, monkeypatch):
    from documents import checks as uploads

    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 1024)
    client.force_login(office.clerk)
    r = post_new(client, spend, file_other=pdf_upload("big.pdf", PDF_BYTES + b"0" * 2000))
    assert r.status_code == 400
    assert "MB" in r.content.decode()
    assert Case.objects.count() == 0


def test_html_in_title_and_comment_is_rendered_inert(client, office, spend, make_case):
    client.force_login(office.clerk)
    post_new(client, spend, title='<script>alert("x")</script><img src=x onerror=alert(1)>')
    case = Case.objects.get()
    client.force_login(office.head)
    client.post(reverse("approvals:comment", args=[case.pk]), {"comment": "<b onmouseover=alert(2)>hi</b>"})
    body = client.get(reverse("approvals:detail", args=[case.pk])).content.decode()
    assert "<script>alert" not in body and "<img src=x" not in body and "<b onmouseover" not in body
    assert "&lt;script&gt;" in body and "&lt;b onmouseover" in body
    inbox = client.get(reverse("approvals:inbox")).content.decode()
    assert "<script>alert" not in inbox


def test_leader_approves_from_the_case_page(client, office, make_case):
    case = make_case("500")
    client.force_login(office.head)
    r = client.post(
        reverse("approvals:decide", args=[case.pk]),
        {"decision": "approve", "comment": "同意。", "step_id": case.current_step_id},
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.current_step.kind == "finance_review"


def test_stale_page_gets_a_clear_message_and_changes_nothing(client, office, make_case):
    case = make_case("500")
    old_step = case.current_step_id
    client.force_login(office.head)
    data = {"decision": "approve", "comment": "同意。", "step_id": old_step}
    client.post(reverse("approvals:decide", args=[case.pk]), data)
    r = client.post(reverse("approvals:decide", args=[case.pk]), data, follow=True)
    assert "请刷新页面" in r.content.decode()
    assert Action.objects.filter(case=case, kind="approve").count() == 1


def test_decision_post_without_csrf_token_is_refused(office, make_case):
    from django.test import Client

    case = make_case("500")
    c = Client(enforce_csrf_checks=True)
    c.force_login(office.head)
    r = c.post(reverse("approvals:decide", args=[case.pk]), {"decision": "approve", "step_id": case.current_step_id})
    assert r.status_code == 403
    assert Action.objects.filter(case=case, kind="approve").count() == 0


def test_return_then_resubmit_in_the_browser(client, office, make_case):
    case = make_case("500")
    client.force_login(office.head)
    client.post(reverse("approvals:decide", args=[case.pk]), {"decision": "return", "comment": "请补充材料。", "step_id": case.current_step_id})
    client.force_login(office.clerk)
    page = client.get(reverse("approvals:edit", args=[case.pk])).content.decode()
    assert "请补充材料。" in page
    r = client.post(
        reverse("approvals:edit", args=[case.pk]),
        {"title": case.title, "reason": "已补充", "amount": "500.00", "action": "submit", "comment": "已补充"},
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS and case.current_step.kind == "unit_head"


def test_route_preview_shows_the_chain_while_typing(client, office, spend):
    client.force_login(office.clerk)
    body = client.get(reverse("approvals:preview", args=[spend.pk]), {"amount": "60000"}).content.decode()
    assert "主要领导" in body and office.principal.full_name in body
    bad = client.get(reverse("approvals:preview", args=[spend.pk]), {"amount": "-1"}).content.decode()
    assert "大于零" in bad


def test_batch_approval_from_the_inbox(client, office, make_case, catalogue):
    low = [make_case("100", matter=catalogue["CW-BGYP"]) for _ in range(3)]
    client.force_login(office.head)
    tokens = [f"{c.pk}:{c.current_step_id}:{c.round}" for c in low]
    r = client.post(reverse("approvals:batch_approve"), {"case": tokens, "comment": "同意。"}, follow=True)
    assert "3" in r.content.decode()
    for c in low:
        c.refresh_from_db()
        assert c.current_step.kind == "finance_review"


def test_delegation_page_creates_a_delegation_and_rejects_bad_dates(client, office):
    client.force_login(office.leader)
    r = client.post(reverse("approvals:delegations"), {"deputy": office.principal.pk, "start": "2026-12-10", "end": "2026-12-01"})
    assert r.status_code == 400 and "早于" in r.content.decode()
    r = client.post(reverse("approvals:delegations"), {"deputy": office.principal.pk, "start": "2026-12-01", "end": "2026-12-10"})
    assert r.status_code == 302
    assert office.leader.delegations_given.count() == 1


def test_search_finds_only_visible_forms(client, office, make_case):
    mine = make_case("100", title="购置灭火器")
    other = make_case("100", applicant=office.community_clerk, title="购置灭火器材")
    client.force_login(office.clerk)
    body = client.get(reverse("search"), {"q": "灭火器"}).content.decode()
    assert mine.number in body and other.number not in body
    client.force_login(office.supervisor)
    body = client.get(reverse("search"), {"q": "灭火器"}).content.decode()
    assert mine.number in body and other.number in body


def test_unread_notices_are_counted_in_the_top_bar(client, office, make_case):
    make_case("100")
    client.force_login(office.head)
    body = client.get(reverse("home")).content.decode()
    assert 'data-testid="topbar-notices"' in body
    page = client.get(reverse("approvals:notifications")).content.decode()
    assert "待您审批" in page
    from approvals.models import Notification

    assert not Notification.objects.filter(user=office.head, read_at__isnull=True).exists()


def test_people_picker_loads_on_demand_for_readers_only(client, office, make_case):
    case = make_case("500")
    client.force_login(office.head)
    body = client.get(reverse("approvals:people", args=[case.pk])).content.decode()
    assert office.heads["dzb"].full_name in body and office.clerk.full_name not in body  # never the applicant
    client.force_login(office.community_clerk)
    assert client.get(reverse("approvals:people", args=[case.pk])).status_code == 404


@pytest.mark.parametrize(
    "amount, message",
    [("NaN", "数字"), ("Infinity", "数字"), ("-Infinity", "数字"), ("1e999999999", "过大"), ("1e5", "数字")],
)
def test_non_finite_or_exponent_amount_on_new_form_is_refused_not_500(client, office, spend, amount, message):
    """Regression (issue 9 item 4): the route preview built a Decimal from the raw value -> 500."""
    client.force_login(office.clerk)
    r = post_new(client, spend, amount=amount)
    assert r.status_code == 400
    assert message in r.content.decode()
    assert Case.objects.count() == 0
    assert Action.objects.count() == 0
    preview = client.get(reverse("approvals:preview", args=[spend.pk]), {"amount": amount})
    assert preview.status_code == 200
    assert message in preview.content.decode()
