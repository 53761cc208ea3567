"""Deny by default: a case is visible to its applicant, the heads of its unit, its leader in
charge, people on its route (past or current), copies, finance, supervisors and admins."""

import pytest
from django.urls import reverse

from approvals import services
from documents.models import Document
from approvals.permissions import visible_cases
from org.models import Role, User

from .conftest import pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(make_case):
    return make_case("20000")


def test_who_sees_the_case(office, case):
    allowed = [office.clerk, office.head, office.leader, office.finance_reviewer, office.accountant, office.cashier,
               office.supervisor, office.admin, office.principal]
    for person in allowed:
        assert visible_cases(person).filter(pk=case.pk).exists(), person.username
    outsider_head = office.community_head
    other_clerk = office.community_clerk
    same_unit_clerk = office.clerk2  # a colleague, not a head: not on the route
    for person in (outsider_head, other_clerk, same_unit_clerk):
        assert not visible_cases(person).filter(pk=case.pk).exists(), person.username


def test_future_route_holders_see_it_once_it_reaches_them(office, case):
    # 财政办 head is not on this route; finance leader gets access when the step activates
    assert visible_cases(office.finance_leader).filter(pk=case.pk).exists() is False
    for actor in (office.head, office.finance_reviewer, office.leader):
        services.case_approve(case=case, actor=actor)
    assert visible_cases(office.finance_leader).filter(pk=case.pk).exists()


def test_guessed_ids_give_404(client, office, case):
    client.force_login(office.community_clerk)
    for name in ("approvals:detail", "approvals:pdf", "approvals:edit"):
        assert client.get(reverse(name, args=[case.pk])).status_code == 404
    for name in ("approvals:decide", "approvals:withdraw", "approvals:urge", "approvals:comment", "approvals:copy", "approvals:attach"):
        assert client.post(reverse(name, args=[case.pk]), {}).status_code == 404


def test_attachment_url_is_permission_checked(client, office, spend):
    client.force_login(office.clerk)
    client.post(reverse("approvals:create", args=[spend.pk]),
                {"title": "附件测试", "amount": "100", "action": "save", "file_other": pdf_upload("secret.pdf")})
    att = Document.objects.get()
    assert client.get(reverse("documents:download", args=[att.pk])).status_code == 200
    client.force_login(office.community_clerk)
    assert client.get(reverse("documents:download", args=[att.pk])).status_code == 404
    assert client.get(reverse("documents:download", args=[att.pk + 999])).status_code == 404


def test_a_forms_materials_are_added_by_its_applicant_and_removed_only_before_submission(client, office, spend):
    from approvals import services

    client.force_login(office.clerk)
    client.post(reverse("approvals:create", args=[spend.pk]),
                {"title": "附件测试", "amount": "100", "action": "save",
                 "file_other": [pdf_upload("依据.pdf"), pdf_upload("草稿误传.pdf", b"%PDF-1.4 other")]})
    att, wrong = Document.objects.order_by("id")
    assert att.owner.applicant == office.clerk and att.kind == "其他材料"
    response = client.post(reverse("documents:delete", args=[wrong.pk]), {"next": "/"})  # a draft: it may go
    assert response.status_code == 302 and "文件已删除" in client.get("/").content.decode()
    services.case_submit(case=att.owner, actor=office.clerk)
    response = client.post(reverse("documents:delete", args=[att.pk]), {"next": "/"})  # submitted: it stays
    assert response.status_code == 302 and "草稿或被退回" in client.get("/").content.decode()
    # a reader who is not the applicant (the unit head) may read but not add through the generic upload
    client.force_login(office.head)
    response = client.post(reverse("documents:upload"), {"owner": "case", "owner_id": att.owner_id, "kind": "其他材料",
                                                         "file": pdf_upload("补充.pdf"), "next": "/"})
    assert response.status_code == 302 and "只有申请人" in client.get("/").content.decode()
    assert list(Document.objects.values_list("pk", flat=True)) == [att.pk]
    assert client.get(reverse("documents:download", args=[att.pk])).status_code == 200


def test_uploads_are_not_served_as_static_files(client, office, spend):
    client.force_login(office.clerk)
    client.post(reverse("approvals:create", args=[spend.pk]),
                {"title": "附件测试", "amount": "100", "action": "save", "file_other": pdf_upload("secret.pdf")})
    att = Document.objects.get()
    assert client.get("/media/" + att.file.name).status_code == 404
    assert client.get("/static/" + att.file.name).status_code == 404


def test_anonymous_users_are_sent_to_login(client, case):
    r = client.get(reverse("approvals:detail", args=[case.pk]))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_someone_outside_the_route_cannot_decide(office, case):
    from approvals.exceptions import StaleAction

    intruder = User.objects.create(username="intruder", unit=office.unit, roles=[Role.UNIT_HEAD])
    # a second head of the same unit *is* a holder (any-one), a clerk of another unit is not
    with pytest.raises(StaleAction):
        services.case_approve(case=case, actor=office.community_clerk)
    assert intruder  # created after submission: not on this route
    with pytest.raises(StaleAction):
        services.case_approve(case=case, actor=intruder)
