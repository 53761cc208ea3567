"""The documents app: one checked, content-addressed store for every file, where the owner's
registered rules decide who reads, adds and removes — and an owner nobody registered gets
nothing."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from approvals.models import Case
from contracts.models import Acceptance, Contract, Payment, Supplement
from documents import checks, registry, services
from documents.exceptions import DocumentError
from documents.models import Document, stored_name
from org.models import Unit
from procurement.models import Quote, SupplierQualification

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name="会议纪要.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _files(root) -> list[Path]:
    root = Path(root)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def rules():
    """A test owner (org.Unit, which no app registers) whose answers each test sets."""
    allow = SimpleNamespace(read=True, add="", delete="")
    registry.register(registry.Owner(
        model=Unit, key="test-unit", kinds={"report": "报告"},
        can_read=lambda user, owner: allow.read,
        can_add=lambda user, owner, kind: allow.add,
        can_delete=lambda user, document: allow.delete,
    ))
    yield allow
    registry.unregister(Unit)


# --- the checks -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, content, message", [
    ("程序.exe", b"MZ\x90\x00" + b"\x00" * 64, "不接受"),
    ("脚本.pdf", b"#!/bin/sh\nrm -rf /\n", "程序或脚本"),
    ("照片.pdf", PNG, "不是真正的"),
    ("扫描件.jpg", PDF, "不是真正的"),
    ("空.pdf", b"", "为空"),
])
def test_bad_files_are_refused_with_the_reason_and_nothing_is_saved(office, media, rules, name, content, message):
    with pytest.raises(DocumentError) as exc:
        services.attach(owner=office.unit, upload=pdf(name, content), kind="report", actor=office.clerk)
    assert message in exc.value.message and (name in exc.value.message or Path(name).suffix in exc.value.message)
    assert not Document.objects.exists() and _files(media) == []


def test_a_file_over_the_limit_is_refused_and_nothing_is_saved(office, media, rules, monkeypatch):
    monkeypatch.setattr(checks, "MAX_UPLOAD_BYTES", 1024)
    with pytest.raises(DocumentError, match="MB"):
        services.attach(owner=office.unit, upload=pdf("大文件.pdf", PDF + b"0" * 2000), kind="report", actor=office.clerk)
    assert not Document.objects.exists() and _files(media) == []


def test_a_kind_the_owner_did_not_declare_is_refused(office, media, rules):
    with pytest.raises(DocumentError, match="不属于"):
        services.attach(owner=office.unit, upload=pdf(), kind="invoice", actor=office.clerk)
    assert not Document.objects.exists() and _files(media) == []


# --- storage --------------------------------------------------------------------------------------------
def test_the_same_bytes_are_stored_once_and_removed_with_the_last_row(office, media, rules, django_capture_on_commit_callbacks):
    a = services.attach(owner=office.unit, upload=pdf("纪要一.pdf"), kind="report", actor=office.clerk)
    b = services.attach(owner=office.community, upload=pdf("纪要二.pdf"), kind="report", actor=office.clerk)
    assert a.sha256 == b.sha256 and a.file.name == b.file.name == stored_name(a.sha256, ".pdf")
    assert a.file.name == f"documents/{a.sha256[:2]}/{a.sha256[2:4]}/{a.sha256}.pdf"
    assert _files(media) == [Path(media) / a.file.name]
    assert Document.objects.filter(sha256=a.sha256).count() == 2
    assert (a.original_name, a.size, a.content_type, a.extension) == ("纪要一.pdf", len(PDF), "application/pdf", ".pdf")
    with django_capture_on_commit_callbacks(execute=True):
        services.delete(a, office.clerk)
    assert _files(media) == [Path(media) / b.file.name]  # b still needs the bytes
    with django_capture_on_commit_callbacks(execute=True):
        services.delete(b, office.clerk)
    assert _files(media) == [] and not Document.objects.exists()


def test_files_are_stored_outside_static(office, media, rules, settings):
    doc = services.attach(owner=office.unit, upload=pdf(), kind="report", actor=office.clerk)
    path = Path(doc.file.path).resolve()
    assert path.is_relative_to(Path(media).resolve())
    assert not any(path.is_relative_to(Path(d).resolve()) for d in settings.STATICFILES_DIRS)


# --- the owner decides ----------------------------------------------------------------------------------
def test_an_owner_that_refuses_adding_saves_nothing(client, office, media, rules):
    rules.add = "只有经办人可以上传。"
    with pytest.raises(DocumentError, match="只有经办人可以上传"):
        services.attach(owner=office.unit, upload=pdf(), kind="report", actor=office.clerk)
    client.force_login(office.clerk)
    response = client.post(reverse("documents:upload"), {"owner": "test-unit", "owner_id": office.unit.pk,
                                                         "kind": "report", "file": pdf(), "next": "/"})
    assert response.status_code == 302
    assert "只有经办人可以上传" in client.get("/").content.decode()
    assert not Document.objects.exists() and _files(media) == []


def test_an_owner_that_refuses_reading_hides_the_file(client, office, media, rules):
    doc = services.attach(owner=office.unit, upload=pdf(), kind="report", actor=office.clerk)
    rules.read = False
    client.force_login(office.clerk)
    assert client.get(reverse("documents:download", args=[doc.pk])).status_code == 404
    assert client.post(reverse("documents:delete", args=[doc.pk])).status_code == 404
    response = client.post(reverse("documents:upload"), {"owner": "test-unit", "owner_id": office.unit.pk,
                                                         "kind": "report", "file": pdf("另一个.pdf")})
    assert response.status_code == 404
    assert list(Document.objects.values_list("pk", flat=True)) == [doc.pk] and len(_files(media)) == 1


def test_an_owner_that_refuses_removal_keeps_the_file(client, office, media, rules, django_capture_on_commit_callbacks):
    doc = services.attach(owner=office.unit, upload=pdf(), kind="report", actor=office.clerk)
    rules.delete = "文件已归档，不能删除。"
    with pytest.raises(DocumentError, match="不能删除"):
        services.delete(doc, office.clerk)
    client.force_login(office.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("documents:delete", args=[doc.pk]), {"next": "/"})
    assert response.status_code == 302 and "不能删除" in client.get("/").content.decode()
    assert Document.objects.filter(pk=doc.pk).exists() and len(_files(media)) == 1


def test_an_owner_nobody_registered_is_denied_everything(client, office, media, rules):
    doc = services.attach(owner=office.unit, upload=pdf(), kind="report", actor=office.clerk)
    registry.unregister(Unit)
    with pytest.raises(DocumentError, match="此处不能上传文件"):
        services.attach(owner=office.unit, upload=pdf("二.pdf"), kind="report", actor=office.admin)
    with pytest.raises(DocumentError):
        services.delete(doc, office.admin)
    assert not registry.may_read(office.admin, office.unit)
    client.force_login(office.admin)
    assert client.get(reverse("documents:download", args=[doc.pk])).status_code == 404
    assert client.post(reverse("documents:delete", args=[doc.pk])).status_code == 404
    assert client.post(reverse("documents:upload"), {"owner": "test-unit", "owner_id": office.unit.pk, "kind": "report",
                                                     "file": pdf("三.pdf")}).status_code == 404
    assert list(Document.objects.values_list("pk", flat=True)) == [doc.pk]


def test_every_file_owner_of_the_system_is_registered():
    for model in (Case, Quote, SupplierQualification, Contract, Supplement, Acceptance, Payment):
        assert registry.rules_for(model) is not None, model.__name__


# --- the views ------------------------------------------------------------------------------------------
def test_download_keeps_the_chinese_name_and_is_never_sniffed(client, office, media, rules):
    doc = services.attach(owner=office.unit, upload=pdf("街道会议纪要（定稿）.pdf"), kind="report", actor=office.clerk)
    client.force_login(office.clerk)
    response = client.get(reverse("documents:download", args=[doc.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote('街道会议纪要（定稿）.pdf')}" in disposition


def test_upload_through_the_page_and_back_to_a_safe_address(client, office, media, rules):
    client.force_login(office.clerk)
    response = client.post(reverse("documents:upload"), {"owner": "test-unit", "owner_id": office.unit.pk, "kind": "report",
                                                         "file": pdf("报告.pdf"), "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"
    doc = Document.objects.get()
    assert (doc.owner, doc.kind, doc.original_name, doc.uploaded_by) == (office.unit, "report", "报告.pdf", office.clerk)
    assert doc.kind_label == "报告"
