"""Real concurrency on PostgreSQL: a material replaced or removed while the form is being
resubmitted. The change re-checks the owner's rule under the case row lock the resubmission
holds, so it waits, then sees the form in front of the approvers and changes nothing."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction

from approvals import services as approval_services
from approvals.models import Action, Case
from documents import services as document_services
from documents.exceptions import DocumentError
from documents.models import Document
from tests.procurement.conftest import holders

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name):
    return SimpleUploadedFile(name, PDF + name.encode(), content_type="application/pdf")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", ["replace", "delete"])
def test_a_change_waits_for_the_resubmission_holding_the_form_and_is_then_refused(office, catalogue, change):
    clerk = office.clerk
    case = approval_services.case_create(matter=catalogue["BW-FW"], applicant=clerk, title="关于开展安全检查的通知")
    doc = document_services.attach(owner=case, upload=pdf("文稿.pdf"), kind="文稿", actor=clerk)
    approval_services.case_submit(case=case, actor=clerk)
    approval_services.case_return(case=case, actor=holders(case)[0], comment="请补充。")
    # added after the return (never seen by an approver): a removal would be allowed now
    extra = document_services.attach(owner=case, upload=pdf("补充.pdf"), kind="其他材料", actor=clerk)
    target = doc if change == "replace" else extra
    outcome = {}

    def run():
        try:
            if change == "replace":
                outcome["done"] = document_services.replace(document=target, upload=pdf("文稿（修改稿）.pdf"), actor=clerk)
            else:
                outcome["done"] = document_services.delete(target, clerk)
        except DocumentError as exc:
            outcome["refused"] = exc
        finally:
            connection.close()

    with transaction.atomic():
        # the resubmission takes the case row lock first, as every transition does
        Case.objects.select_for_update().get(pk=case.pk)
        worker = threading.Thread(target=run)
        worker.start()
        time.sleep(1.0)
        assert worker.is_alive(), outcome  # past the quick check, waiting on the form's lock
        approval_services.case_resubmit(case=case, actor=clerk)
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert "refused" in outcome, outcome
    assert outcome["refused"].code == f"{change}_refused"
    assert sorted(Document.all_versions.filter(case=case).values_list("pk", flat=True)) == sorted([doc.pk, extra.pk])
    assert Document.all_versions.filter(case=case, superseded_by__isnull=False).count() == 0
    assert not Action.objects.filter(case=case, kind__in=[Action.Kind.REPLACE_FILE, Action.Kind.REMOVE_FILE]).exists()
