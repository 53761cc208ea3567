"""Every place that takes a file — filing a form, revising it, adding material to it, the
meeting minutes of a collective decision, procurement and contract documents, supplier
qualifications, the budget import — refuses a file that is too large (a real one, past the
limit), a program or script whatever its name, a type that is not accepted and a file whose
content is not what its name says; nothing is stored. A good file goes through each of them
(the control)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from approvals.models import Case
from budget.forms import MAX_UPLOAD_BYTES as BUDGET_MAX_BYTES
from budget.models import BudgetLine
from contracts.models import DocKind
from documents.checks import MAX_UPLOAD_BYTES
from documents.models import Document
from procurement.models import SupplierQualification

from .conftest import PDF_BYTES


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
BAD_FILES = {
    "too large": ("大文件.pdf", PDF_BYTES + b"0" * (MAX_UPLOAD_BYTES + 1 - len(PDF_BYTES))),
    "Windows program named .pdf": ("报告.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200),
    "Linux program named .pdf": ("报告2.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 200),
    "shell script named .pdf": ("说明.pdf", b"#!/bin/sh\nrm -rf /\n"),
    "program": ("setup.exe", b"MZ\x90\x00" + b"\x00" * 200),
    "web page": ("page.html", b"<html><script>alert(1)</script></html>"),
    "svg with script": ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
    "PDF named .jpg": ("photo.jpg", PDF_BYTES),
    "PNG named .pdf": ("scan.pdf", PNG),
    "text named .docx": ("letter.docx", "这不是Word文件".encode()),
    "empty": ("empty.pdf", b""),
}


def _file(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and "exports" not in p.parts] if root.exists() else []


@pytest.fixture
def entry_points(world, settings):
    """name -> (who, how to post a file, how many rows the files are in)."""
    o = world.office
    w = world

    def create(client, f):
        return client.post(reverse("approvals:create", args=[w.spend.pk]), {
            "title": "附件测试", "amount": "100", "budget-line": w.line.pk, "file_other": f, "action": "save"})

    def edit(client, f):
        return client.post(reverse("approvals:edit", args=[w.own.pk]), {
            "title": "办公椅购置", "amount": "800", "budget-line": w.line.pk, "file_other": f, "action": "save"})

    def attach(client, f):
        return client.post(reverse("approvals:attach", args=[w.foreign.pk]), {"kind": "其他材料", "file": f})

    def minutes(client, f):
        case = w.foreign
        return client.post(reverse("approvals:decide", args=[case.pk]), {
            "decision": "approve", "comment": "同意。", "step_id": case.current_step_id,
            "meeting_date": "2026-01-05", "meeting_name": "党工委会议", "minutes": f})

    def contract_scan(client, f):
        return client.post(reverse("documents:upload"), {
            "owner": "contract", "owner_id": w.contract.pk, "kind": DocKind.CONTRACT_SCAN, "file": f})

    def acceptance_report(client, f):
        return client.post(reverse("documents:upload"), {
            "owner": "acceptance", "owner_id": w.acceptance.pk, "kind": DocKind.ACCEPTANCE_REPORT, "file": f})

    def qualification(client, f):
        return client.post(reverse("procurement:qualification_add", args=[w.supplier.pk]), {
            "name": "营业执照", "number": "A1", "file": f})

    def counts():
        return Document.objects.count(), SupplierQualification.objects.count()

    return {
        "file a form": (o.clerk, create, counts),
        "revise a form": (o.clerk, edit, counts),
        "add material": (w.foreign_clerk, attach, counts),
        "meeting minutes": (o.heads["cgzx"], minutes, counts),
        "contract scan": (w.foreign_clerk, contract_scan, counts),
        "acceptance report": (w.foreign_clerk, acceptance_report, counts),
        "supplier qualification": (o.admin, qualification, counts),
    }


def test_bad_files_are_refused_everywhere_and_nothing_is_stored(client, world, entry_points, settings):
    media = Path(settings.MEDIA_ROOT)
    stored = sorted(_stored_files(media))
    steps = {c.pk: c.current_step_id for c in Case.objects.all()}
    wrong = []
    for place, (person, post, counts) in entry_points.items():
        client.force_login(person)
        for label, (name, content) in BAD_FILES.items():
            before = counts()
            response = post(client, _file(name, content))
            if response.status_code not in (200, 302, 400):
                wrong.append(f"{place} / {label}: status {response.status_code}")
            if counts() != before:
                wrong.append(f"{place} / {label}: a file was stored")
    assert not wrong, "\n".join(wrong)
    assert sorted(_stored_files(media)) == stored, "files were written to MEDIA_ROOT"
    assert {c.pk: c.current_step_id for c in Case.objects.all()} == steps  # no decision went through with bad minutes


def test_the_refusal_says_why(client, world):
    client.force_login(world.office.clerk)
    for label, expected in (("too large", "MB"), ("Windows program named .pdf", "程序"), ("program", ".exe"),
                            ("PDF named .jpg", ".jpg")):
        name, content = BAD_FILES[label]
        response = client.post(reverse("approvals:create", args=[world.spend.pk]), {
            "title": "附件测试", "amount": "100", "budget-line": world.line.pk, "file_other": _file(name, content),
            "action": "save"})
        assert response.status_code == 400, label
        assert expected in response.content.decode(), label


def test_a_good_file_goes_through_each_place(client, world, entry_points):
    from approvals import services
    from approvals.models import StepKind

    for place, (person, post, counts) in entry_points.items():
        if place == "meeting minutes":
            continue  # needs a collective step: below
        client.force_login(person)
        before = counts()
        response = post(client, _file("合格材料.pdf", PDF_BYTES, "application/pdf"))
        assert response.status_code in (200, 302), (place, response.status_code)
        assert counts() != before, f"{place}: the good file was not stored"
    # minutes: a ¥400,000 form reaches the collective decision, where the minutes are taken
    o = world.office
    case = services.case_create(matter=world.spend, applicant=o.clerk, title="大额支出", amount="400000")
    from budget import services as budget_services

    big = budget_services.budget_line_create(
        year=world.year, unit=o.unit, project="大额项目", functional_code="2010301", functional_name="行政运行",
        economic_code="30227", economic_name="委托业务费", amount="1000000")
    budget_services.case_budget_set(case=case, line=big)
    services.case_submit(case=case, actor=o.clerk)
    for _ in range(10):
        case.refresh_from_db()
        if case.current_step.kind == StepKind.COLLECTIVE:
            break
        holder = case.current_step.assignees.filter(round=case.round, decision="").first().user
        services.case_approve(case=case, actor=holder, comment="同意。")
    client.force_login(o.principal)
    response = client.post(reverse("approvals:decide", args=[case.pk]), {
        "decision": "approve", "comment": "同意。", "step_id": case.current_step_id, "meeting_date": "2026-01-05",
        "meeting_name": "党工委会议", "minutes": _file("会议纪要.pdf", PDF_BYTES, "application/pdf")})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED
    assert case.attachments.filter(kind="会议纪要").count() == 1


def _xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_budget_import_refuses_bad_files_and_saves_nothing(client, world):
    client.force_login(world.office.finance_reviewer)
    lines = BudgetLine.objects.count()
    bad = {
        "too large": ("预算.xlsx", b"PK\x03\x04" + b"0" * (BUDGET_MAX_BYTES + 1)),
        "program named .xlsx": ("预算.xlsx", b"MZ\x90\x00" + b"\x00" * 200),
        "not a workbook": ("预算.xlsx", PDF_BYTES),
        "zip that is no workbook": ("预算.xlsx", b"PK\x03\x04garbage"),
        "csv": ("预算.csv", "单位编码,项目\nGFB,x\n".encode()),
        "old excel": ("预算.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200),
    }
    for label, (name, content) in bad.items():
        response = client.post(reverse("budget:import"), {"year": world.year, "file": _file(name, content)})
        assert response.status_code == 400, (label, response.status_code)
    assert BudgetLine.objects.count() == lines
