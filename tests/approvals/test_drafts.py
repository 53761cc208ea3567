"""Drafts: the number comes with the first submission (a refused submission uses none up),
filing is one service, and a draft never submitted can be deleted by its applicant."""

import pytest
from django.urls import reverse

from approvals import registry, services
from approvals.exceptions import ApprovalError
from approvals.models import Action, Case
from core.models import Sequence
from documents.models import Document

from .conftest import holders, pdf_upload

pytestmark = pytest.mark.django_db


class _Gate(registry.CaseSection):
    """A stage that refuses a submission whose title asks for it, inside the submit transaction
    (as a budget line without room or a blocking risk rule would)."""

    key = "test_gate"
    label = "闸门"

    def validate_submit(self, case, actor):
        if "拒" in case.title:
            raise ApprovalError("此表单被拒绝提交。", code="gate")
        return []


@pytest.fixture
def gated(spend):
    registry.register(_Gate())
    spend.stages = ["test_gate"]
    spend.save(update_fields=["stages"])
    yield spend
    registry._SECTIONS.pop("test_gate", None)


def _seq(n: str) -> int:
    return int(n.rsplit("-", 1)[1])


def test_a_saved_draft_has_no_number_and_uses_none_up(office, spend, make_case):
    draft = make_case("100", submit=False)
    assert draft.number == "" and draft.display_number == "草稿（未编号）"
    assert not Sequence.objects.filter(key__startswith="case:").exists()
    first = make_case("100")
    assert _seq(first.number) == 1


def test_a_refused_submission_uses_no_number(office, gated, make_case):
    ok = make_case("100", matter=gated)
    refused = make_case("100", matter=gated, title="请拒绝", submit=False)
    with pytest.raises(ApprovalError) as exc:
        services.case_submit(case=refused, actor=office.clerk)
    assert exc.value.code == "gate"
    refused.refresh_from_db()
    assert refused.number == "" and refused.status == Case.Status.DRAFT and refused.round == 0
    assert not refused.actions.filter(kind="submit").exists()
    good = make_case("100", matter=gated)
    assert _seq(good.number) == _seq(ok.number) + 1  # no gap for the refusal
    # the refused draft, corrected, gets the next one
    services.case_update(case=refused, actor=office.clerk, title="已改正", amount="100")
    services.case_submit(case=refused, actor=office.clerk)
    refused.refresh_from_db()
    assert _seq(refused.number) == _seq(good.number) + 1


def test_missing_attachments_refuse_without_a_number(office, catalogue):
    matter = next(m for m in catalogue.values() if m.required_attachments and m.is_active)
    case = services.case_create(matter=matter, applicant=office.clerk, title="缺材料", amount="100")
    with pytest.raises(ApprovalError):
        services.case_submit(case=case, actor=office.clerk)
    case.refresh_from_db()
    assert case.number == "" and not Sequence.objects.filter(key__startswith="case:", last__gt=0).exists()


def test_filing_is_one_service_and_a_refused_part_saves_nothing(office, spend):
    with pytest.raises(ApprovalError):
        services.case_file(matter=spend, applicant=office.clerk, title="", amount="100")
    assert Case.objects.count() == 0 and Action.objects.count() == 0
    case = services.case_file(matter=spend, applicant=office.clerk, title="购置", reason="需要", amount="100")
    assert case.status == Case.Status.DRAFT and list(case.actions.values_list("kind", flat=True)) == ["create"]


def test_the_applicant_deletes_a_draft_never_submitted(client, office, spend):
    client.force_login(office.clerk)
    r = client.post(reverse("approvals:create", args=[spend.pk]),
                    {"title": "作废草稿", "reason": "", "amount": "100", "action": "save", "file_other": pdf_upload()})
    case = Case.objects.get()
    assert r.status_code == 302 and case.number == "" and Document.objects.count() == 1
    page = client.get(reverse("approvals:detail", args=[case.pk])).content.decode()
    assert 'data-testid="delete-draft"' in page and "data-confirm" in page and 'data-testid="withdraw"' not in page
    assert client.get(reverse("approvals:delete", args=[case.pk])).status_code == 405  # POST only
    r = client.post(reverse("approvals:delete", args=[case.pk]))
    assert r.status_code == 302 and r["Location"] == reverse("approvals:mine")
    case.refresh_from_db()
    assert case.status == Case.Status.DELETED and Document.objects.count() == 0
    assert case.actions.filter(kind="delete", actor=office.clerk).exists()
    assert "作废草稿" not in client.get(reverse("approvals:mine")).content.decode()


def test_deleting_needs_csrf(office, spend, make_case):
    from django.test import Client

    draft = make_case("100", submit=False)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(office.clerk)
    assert strict.post(reverse("approvals:delete", args=[draft.pk])).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Case.Status.DRAFT


def test_deleting_a_draft_that_was_ever_submitted_is_refused(client, office, make_case):
    case = make_case("100")
    services.case_return(case=case, actor=holders(case)[0], comment="请补充")
    case.refresh_from_db()
    client.force_login(office.clerk)
    r = client.post(reverse("approvals:delete", args=[case.pk]), follow=True)
    assert "从未提交的草稿才能删除" in r.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.RETURNED and not case.actions.filter(kind="delete").exists()
    withdrawn = make_case("100")
    services.case_withdraw(case=withdrawn, actor=office.clerk)
    with pytest.raises(ApprovalError) as exc:
        services.case_delete_draft(case=withdrawn, actor=office.clerk)
    assert exc.value.code == "was_submitted"


def test_only_the_applicant_deletes(client, office, make_case):
    draft = make_case("100", submit=False)
    with pytest.raises(ApprovalError) as exc:
        services.case_delete_draft(case=draft, actor=office.clerk2)
    assert exc.value.code == "not_applicant"
    draft.refresh_from_db()
    assert draft.status == Case.Status.DRAFT
