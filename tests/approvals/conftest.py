from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from approvals import demo, services
from approvals.models import Matter

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def catalogue(office):
    """The seeded matter catalogue and default policies on top of the small office.

    These tests exercise the approvals engine alone, so the matters carry no business
    sections (budget, purchase, …); each business app tests its section with the engine."""
    demo.seed()
    Matter.objects.update(stages=[])
    return {m.code: m for m in Matter.objects.all()}


@pytest.fixture
def spend(catalogue):
    """经费支出事前申请: spends money, no required attachments."""
    return catalogue["CW-SQSP"]


@pytest.fixture
def make_case(office, spend):
    def make(amount="5000.00", *, applicant=None, matter=None, title="购置办公桌椅", submit=True):
        case = services.case_create(
            matter=matter or spend, applicant=applicant or office.clerk, title=title, reason="办公需要", amount=amount
        )
        if submit:
            services.case_submit(case=case, actor=case.applicant)
            case.refresh_from_db()
        return case

    return make


def pdf_upload(name="材料.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def holders(case):
    case.refresh_from_db()
    if not case.current_step_id:
        return []
    return [a.user for a in case.current_step.assignees.filter(round=case.round, decision="").select_related("user")]


def approve_all(case, *, comment="同意。"):
    """Approve every remaining step as its first holder."""
    for _ in range(20):
        people = holders(case)
        if not people:
            break
        services.case_approve(case=case, actor=people[0], comment=comment)
    case.refresh_from_db()
    return case


@pytest.fixture
def io_bytes():
    return io.BytesIO
