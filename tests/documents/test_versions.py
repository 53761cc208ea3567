"""Attachments over HTTP: a form's material replaced while the form is back with its applicant
(the earlier version kept, with its bytes, under 历史版本, and the trail told), removed only
while no approver has seen it, PDFs and images previewed in the browser under the same access
check as the download, and a quote's several sheets uploaded at once — all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from approvals import services as approval_services
from approvals.models import Action, Case
from documents.models import Document
from procurement.models import DocKind, Quote
from tests.procurement.conftest import approve_all, holders

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
XLSX = b"PK\x03\x04" + b"\x00" * 64
DRAFT_KIND = "文稿"  # the required material of 发文审批 (BW-FW)


def upload(name="文稿.pdf", content=PDF):
    return SimpleUploadedFile(name, content + name.encode(), content_type="application/octet-stream")


def files(root) -> list[Path]:
    root = Path(root)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def trail(case, kind) -> list[Action]:
    return list(Action.objects.filter(case=case, kind=kind).order_by("id"))


@pytest.fixture
def media(settings):
    """The test's own upload directory (the autouse ``media_root`` points MEDIA_ROOT at it)."""
    return settings.MEDIA_ROOT


@pytest.fixture
def paper(office, catalogue):
    """发文审批 by the clerk, as a draft: needs its 文稿."""
    return approval_services.case_create(matter=catalogue["BW-FW"], applicant=office.clerk, title="关于开展安全检查的通知",
                                         reason="年度安全检查")


def attach(client, case, kind=DRAFT_KIND, name="文稿.pdf", content=PDF):
    client.force_login(case.applicant)
    response = client.post(reverse("approvals:attach", args=[case.pk]), {"kind": kind, "file": upload(name, content)})
    assert response.status_code == 302
    return Document.objects.filter(case=case).latest("id")


def submit(case) -> Case:
    approval_services.case_submit(case=case, actor=case.applicant)
    case.refresh_from_db()
    return case


def send_back(case) -> Case:
    approval_services.case_return(case=case, actor=holders(case)[0], comment="请修改文稿后重新提交。")
    case.refresh_from_db()
    return case


def replace(client, doc, name="文稿（修改稿）.pdf", content=PDF, **extra):
    return client.post(reverse("documents:replace", args=[doc.pk]), {"file": upload(name, content), **extra}, follow=True)


def remove(client, doc):
    return client.post(reverse("documents:delete", args=[doc.pk]), follow=True)


# --- replace --------------------------------------------------------------------------------------------
def test_replace_on_a_returned_form_keeps_the_submitted_version_and_its_bytes_under_history(
        client, office, paper, media, settings):
    first = attach(client, paper)
    send_back(submit(paper))
    response = replace(client, first, next=reverse("approvals:detail", args=[paper.pk]))
    assert response.status_code == 200 and "已替换为" in response.content.decode()

    new = Document.objects.get(case=paper)  # one file in force for the slot
    assert new.pk != first.pk and (new.kind, new.original_name, new.uploaded_by) == (DRAFT_KIND, "文稿（修改稿）.pdf", office.clerk)
    old = Document.all_versions.get(pk=first.pk)
    assert old.superseded_by == new and not old.is_current
    assert (Path(settings.MEDIA_ROOT) / old.file.name).exists() and (Path(settings.MEDIA_ROOT) / new.file.name).exists()
    entry = trail(paper, Action.Kind.REPLACE_FILE)
    assert len(entry) == 1 and entry[0].actor == office.clerk
    assert "文稿.pdf → 文稿（修改稿）.pdf" in entry[0].comment and old.sha256 in entry[0].comment

    page = client.get(reverse("approvals:detail", args=[paper.pk])).content.decode()
    assert "历史版本" in page and reverse("documents:download", args=[old.pk]) in page
    assert office.clerk.get_full_name() in page and "替换" in page
    # the earlier version is still readable by whoever reads the form, and the corrected form goes back
    assert client.get(reverse("documents:download", args=[old.pk])).status_code == 200
    approval_services.case_resubmit(case=paper, actor=office.clerk)
    paper.refresh_from_db()
    assert paper.status == Case.Status.IN_PROGRESS


def test_replace_is_refused_while_the_form_is_with_the_approvers_and_nothing_changes(client, office, paper, media):
    doc = attach(client, paper)
    submit(paper)
    before_files, before_trail = files(media), Action.objects.count()
    response = replace(client, doc)
    assert "草稿或被退回" in response.content.decode()
    assert list(Document.all_versions.filter(case=paper)) == [doc] and Document.objects.get(pk=doc.pk).is_current
    assert files(media) == before_files and Action.objects.count() == before_trail


def test_replace_with_a_bad_file_names_it_and_changes_nothing(client, paper, media):
    doc = attach(client, paper)
    response = replace(client, doc, name="修改稿.pdf", content=PNG)
    assert "修改稿.pdf" in response.content.decode() and "不是真正的" in response.content.decode()
    assert list(Document.all_versions.filter(case=paper)) == [doc] and len(files(media)) == 1


def test_removing_a_replacement_not_yet_submitted_brings_the_submitted_version_back(client, office, paper,
                                                                                   django_capture_on_commit_callbacks):
    first = attach(client, paper)
    send_back(submit(paper))
    replace(client, first)
    second = Document.objects.get(case=paper)
    with django_capture_on_commit_callbacks(execute=True):
        response = remove(client, second)
    assert "重新成为当前版本" in response.content.decode()
    assert list(Document.objects.filter(case=paper)) == [first]
    assert not Document.all_versions.filter(pk=second.pk).exists()
    removed = trail(paper, Action.Kind.REMOVE_FILE)
    assert len(removed) == 1 and "文稿（修改稿）.pdf" in removed[0].comment


# --- remove ---------------------------------------------------------------------------------------------
def test_remove_before_submission_takes_the_file_and_its_bytes_and_the_trail_records_it(
        client, office, paper, media, django_capture_on_commit_callbacks):
    attach(client, paper)
    extra = attach(client, paper, kind="其他材料", name="参考资料.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = remove(client, extra)
    assert "文件已删除" in response.content.decode()
    assert [d.original_name for d in Document.all_versions.filter(case=paper)] == ["文稿.pdf"]
    assert len(files(media)) == 1
    removed = trail(paper, Action.Kind.REMOVE_FILE)
    assert len(removed) == 1 and removed[0].actor == office.clerk and "参考资料.pdf" in removed[0].comment


def test_the_required_material_is_still_checked_on_submission_after_a_removal(client, office, paper):
    doc = attach(client, paper)
    remove(client, doc)
    response = client.post(reverse("approvals:edit", args=[paper.pk]),
                           {"title": paper.title, "reason": paper.reason, "action": "submit"}, follow=True)
    assert "缺少必备附件" in response.content.decode() and DRAFT_KIND in response.content.decode()
    paper.refresh_from_db()
    assert paper.status == Case.Status.DRAFT and not paper.number


def test_remove_after_submission_is_refused_and_nothing_changes(client, office, paper, media):
    doc = attach(client, paper)
    submit(paper)
    before_files, before_trail = files(media), Action.objects.count()
    response = remove(client, doc)
    assert "草稿或被退回" in response.content.decode()
    send_back(paper)
    before_trail = Action.objects.count()
    response = remove(client, doc)  # back with the applicant: still on record, since it was submitted
    assert "已随表单提交" in response.content.decode() and "替换" in response.content.decode()
    assert list(Document.all_versions.filter(case=paper)) == [doc]
    assert files(media) == before_files and Action.objects.count() == before_trail
    # a file added since the return was never seen by an approver: it may go
    added = attach(client, paper, kind="其他材料", name="补充说明.pdf")
    assert "文件已删除" in remove(client, added).content.decode()
    assert list(Document.all_versions.filter(case=paper)) == [doc]


def test_nothing_is_replaced_or_removed_once_the_form_is_approved(client, office, paper, media):
    doc = attach(client, paper)
    approve_all(submit(paper))
    paper.refresh_from_db()
    assert paper.status == Case.Status.APPROVED
    before_files, before_trail = files(media), Action.objects.count()
    assert "草稿或被退回" in remove(client, doc).content.decode()
    assert "草稿或被退回" in replace(client, doc).content.decode()
    assert list(Document.all_versions.filter(case=paper)) == [doc]
    assert files(media) == before_files and Action.objects.count() == before_trail
    page = client.get(reverse("approvals:detail", args=[paper.pk])).content.decode()
    assert reverse("documents:replace", args=[doc.pk]) not in page and reverse("documents:delete", args=[doc.pk]) not in page


def test_someone_else_cannot_replace_or_remove_the_applicants_material(client, office, paper):
    doc = attach(client, paper)
    approver = holders(submit(paper))[0]
    send_back(paper)
    client.force_login(approver)  # reads the returned form, is not its applicant
    assert "草稿或被退回" in replace(client, doc).content.decode()
    assert "草稿或被退回" in remove(client, doc).content.decode()
    assert list(Document.all_versions.filter(case=paper)) == [doc]


# --- preview --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, content, content_type", [
    ("文稿.pdf", PDF, "application/pdf"),
    ("现场照片.png", PNG, "image/png"),
    ("扫描件.jpg", JPG, "image/jpeg"),
])
def test_pdfs_and_images_open_in_the_browser(client, paper, name, content, content_type):
    doc = attach(client, paper, kind="其他材料", name=name, content=content)
    response = client.get(reverse("documents:preview", args=[doc.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(content)
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy and "sandbox" not in policy
    page = client.get(reverse("approvals:detail", args=[paper.pk])).content.decode()
    assert reverse("documents:preview", args=[doc.pk]) in page and "预览" in page


def test_other_types_are_downloaded_even_from_the_preview_address(client, paper):
    doc = attach(client, paper, kind="其他材料", name="预算表.xlsx", content=XLSX)
    response = client.get(reverse("documents:preview", args=[doc.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["X-Content-Type-Options"] == "nosniff"
    page = client.get(reverse("approvals:detail", args=[paper.pk])).content.decode()
    assert reverse("documents:download", args=[doc.pk]) in page
    assert reverse("documents:preview", args=[doc.pk]) not in page


def test_preview_is_refused_to_someone_who_may_not_read_the_form(client, office, paper):
    doc = attach(client, paper)
    send_back(submit(paper))
    replace(client, doc)
    client.force_login(office.community_clerk)  # another unit
    for pk in (doc.pk, Document.objects.get(case=paper).pk):  # the earlier version and the current one
        assert client.get(reverse("documents:preview", args=[pk])).status_code in (403, 404)
        assert client.get(reverse("documents:download", args=[pk])).status_code in (403, 404)


# --- several quote sheets at once -----------------------------------------------------------------------
@pytest.fixture
def quote(flow):
    """A purchase at its award stage (a draft being filled), three quotes without documents."""
    case = flow.request("80000.00")
    flow.purchase(case)
    case.refresh_from_db()
    flow.quotes(case, docs=False, approve=False)
    return Quote.objects.filter(purchase__case=case).order_by("amount").first()


def post_quotes(client, quote, *uploads):
    return client.post(reverse("documents:upload"), {"owner": "quote", "owner_id": quote.pk, "kind": DocKind.QUOTE,
                                                     "file": list(uploads), "next": "/"}, follow=True)


def test_three_quote_sheets_upload_at_once(client, quote):
    case = quote.purchase.case
    client.force_login(case.applicant)
    page = client.get(reverse("approvals:detail", args=[case.pk])).content.decode()
    assert 'name="file" required multiple' in page
    before = len(trail(case, Action.Kind.ATTACH))
    response = post_quotes(client, quote, upload("报价单第1页.pdf"), upload("报价单第2页.jpg", JPG), upload("报价单第3页.png", PNG))
    assert "已上传 3 个文件" in response.content.decode()
    docs = Document.objects.filter(owner_id=quote.pk, kind=DocKind.QUOTE, owner_type__model="quote").order_by("id")
    assert [d.original_name for d in docs] == ["报价单第1页.pdf", "报价单第2页.jpg", "报价单第3页.png"]
    assert len(trail(case, Action.Kind.ATTACH)) == before + 3


def test_one_bad_sheet_refuses_the_whole_upload_and_names_it(client, quote, media):
    case = quote.purchase.case
    client.force_login(case.applicant)
    before_files, before_trail = files(media), Action.objects.count()
    response = post_quotes(client, quote, upload("报价单一.pdf"), upload("报价单二.pdf", PNG), upload("报价单三.pdf"))
    text = response.content.decode()
    assert "未上传任何文件" in text and "“报价单二.pdf”的内容不是真正的 .pdf 文件" in text
    assert "报价单一.pdf" not in text and "报价单三.pdf" not in text  # the good ones are neither blamed nor listed
    assert not Document.all_versions.filter(owner_type__model="quote", owner_id=quote.pk).exists()
    assert files(media) == before_files and Action.objects.count() == before_trail


def test_a_submitted_quote_sheet_is_replaced_not_removed_on_a_returned_award(client, quote):
    case = quote.purchase.case
    client.force_login(case.applicant)
    post_quotes(client, quote, upload("报价单.pdf"))
    for q in Quote.objects.filter(purchase=quote.purchase).exclude(pk=quote.pk):
        post_quotes(client, q, upload(f"报价单{q.pk}.pdf"))
    sheet = Document.objects.get(owner_type__model="quote", owner_id=quote.pk)
    approval_services.case_submit(case=case, actor=case.applicant)
    send_back(case)
    assert "已随表单提交" in remove(client, sheet).content.decode()
    response = replace(client, sheet, name="报价单（更正）.pdf")
    assert "已替换为" in response.content.decode()
    current = Document.objects.get(owner_type__model="quote", owner_id=quote.pk)
    assert current.original_name == "报价单（更正）.pdf" and Document.all_versions.get(pk=sheet.pk).superseded_by == current
    entry = trail(case, Action.Kind.REPLACE_FILE)
    assert len(entry) == 1 and "报价单（" in entry[0].comment and quote.supplier.name in entry[0].comment
    page = client.get(reverse("approvals:detail", args=[case.pk])).content.decode()
    assert "历史版本" in page and reverse("documents:download", args=[sheet.pk]) in page


# --- CSRF -----------------------------------------------------------------------------------------------
def test_replace_remove_and_upload_need_the_csrf_token(office, paper, quote, media):
    client = Client(enforce_csrf_checks=True)
    doc = attach(Client(), paper)
    client.force_login(office.clerk)
    before_files, before_docs, before_trail = files(media), Document.all_versions.count(), Action.objects.count()
    assert client.post(reverse("documents:replace", args=[doc.pk]), {"file": upload("新.pdf")}).status_code == 403
    assert client.post(reverse("documents:delete", args=[doc.pk])).status_code == 403
    client.force_login(quote.purchase.case.applicant)
    response = client.post(reverse("documents:upload"), {"owner": "quote", "owner_id": quote.pk, "kind": DocKind.QUOTE,
                                                         "file": [upload("报价单.pdf")]})
    assert response.status_code == 403
    assert files(media) == before_files and Document.all_versions.count() == before_docs
    assert Action.objects.count() == before_trail


def test_the_csrf_token_on_the_page_lets_the_replacement_through(office, paper):
    client = Client(enforce_csrf_checks=True)
    client.force_login(office.clerk)
    doc = attach(Client(), paper)
    page = client.get(reverse("approvals:edit", args=[paper.pk]))
    token = page.cookies["csrftoken"].value
    assert reverse("documents:replace", args=[doc.pk]) in page.content.decode()
    response = client.post(reverse("documents:replace", args=[doc.pk]),
                           {"file": upload("新.pdf"), "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and Document.objects.get(case=paper).original_name == "新.pdf"
    assert Document.all_versions.filter(case=paper, superseded_by__isnull=False).count() == 1


# --- the page -------------------------------------------------------------------------------------------
def _page_queries(client, case, django_assert_max_num_queries) -> int:
    with django_assert_max_num_queries(40) as ctx:
        assert client.get(reverse("approvals:detail", args=[case.pk])).status_code == 200
    return len(ctx.captured_queries)


def test_the_case_page_runs_the_same_queries_for_one_file_or_many_with_their_versions(
        client, office, catalogue, django_assert_max_num_queries):
    def returned_paper(n_files, n_versions):
        case = approval_services.case_create(matter=catalogue["BW-FW"], applicant=office.clerk, title=f"通知{n_files}")
        docs = [attach(client, case, name=f"文稿{i}.pdf") for i in range(n_files)]
        send_back(submit(case))
        for i, d in enumerate(docs):
            for v in range(n_versions):
                replace(client, d, name=f"文稿{i}-修改{v}.pdf")
                d = Document.objects.get(case=case, original_name=f"文稿{i}-修改{v}.pdf")
        return case

    small, big = returned_paper(1, 0), returned_paper(5, 2)
    client.force_login(office.clerk)
    few = _page_queries(client, small, django_assert_max_num_queries)
    many = _page_queries(client, big, django_assert_max_num_queries)
    assert many == few
    page = client.get(reverse("approvals:detail", args=[big.pk])).content.decode()
    assert page.count("历史版本（2）") == 5
