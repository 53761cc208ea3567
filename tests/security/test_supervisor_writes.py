"""The supervisor (纪检监察/审计) reads everything and changes nothing (issue: they could register
a supplier and comment on cases). Every write they try is refused and no table changes; the
decision is one property, ``User.changes_nothing``, asked by each app's services."""

from __future__ import annotations

import pytest
from django.urls import reverse

from approvals import services
from approvals.exceptions import ApprovalError
from procurement.models import Supplier
from procurement.validators import make_credit_code

from .conftest import changed_tables, fingerprint

pytestmark = pytest.mark.django_db


def test_the_supervisor_reads_every_case(client, world):
    client.force_login(world.office.supervisor)
    assert client.get(reverse("approvals:detail", args=[world.foreign.pk])).status_code == 200


@pytest.mark.parametrize("name, data", [
    ("approvals:comment", {"comment": "请说明采购理由。"}),
    ("approvals:urge", {}),
    ("approvals:copy", {"users": []}),
])
def test_the_supervisor_cannot_comment_urge_or_copy(client, world, name, data):
    client.force_login(world.office.supervisor)
    if name == "approvals:copy":
        data = {"users": [world.office.leader.pk]}
    before = fingerprint()
    response = client.post(reverse(name, args=[world.foreign.pk]), data, follow=True)
    assert response.status_code in (200, 400, 403)
    assert changed_tables(before) == []
    if response.status_code != 403:
        assert "不作任何修改" in response.content.decode()


def test_the_supervisor_cannot_register_a_supplier(client, world):
    client.force_login(world.office.supervisor)
    url = reverse("procurement:supplier_create")
    assert client.get(url).status_code == 403
    response = client.post(url, {"name": "深圳市某公司", "credit_code": make_credit_code(area="440306", org8="MA5F0009")})
    assert response.status_code == 403
    assert not Supplier.objects.filter(name="深圳市某公司").exists()


def test_the_services_refuse_the_supervisor_too(world):
    with pytest.raises(ApprovalError) as e:
        services.case_create(matter=world.spend, applicant=world.office.supervisor, title="测试", amount="100")
    assert e.value.code == "read_only"


def test_a_supervisor_who_also_files_for_their_unit_may_file(world):
    person = world.office.supervisor
    person.roles = [*person.roles, "clerk"]
    person.save()
    case = services.case_create(matter=world.spend, applicant=person, title="办公用品", amount="100")
    assert case.pk
