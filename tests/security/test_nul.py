"""A NUL character (which PostgreSQL cannot store in text) typed into any search box, filter
or form field is refused with a clear message and a 400 before any view runs: no server
error, nothing saved."""

from __future__ import annotations

from django.urls import reverse

from org.models import Role

from .conftest import changed_tables, fingerprint, login_as
from .test_url_table import TABLE

MESSAGE = "NUL"


def _refused(response):
    assert response.status_code == 400, response.status_code
    assert MESSAGE in response.content.decode()


def test_search_boxes_refuse_nul(client, world):
    login_as(client, world, Role.CLERK)
    _refused(client.get(reverse("approvals:mine") + "?q=a%00b"))
    _refused(client.get(reverse("search") + "?q=a%00b"))
    _refused(client.get(reverse("procurement:supplier_list") + "?q=a%00b"))


def test_htmx_request_gets_the_message_as_a_partial(client, world):
    login_as(client, world, Role.CLERK)
    response = client.get(reverse("approvals:mine") + "?q=a%00b", headers={"HX-Request": "true"})
    _refused(response)
    assert "<html" not in response.content.decode()


def test_comments_with_nul_save_nothing(client, world):
    case = world.foreign
    client.force_login(case.applicant)
    before = fingerprint()
    _refused(client.post(reverse("approvals:withdraw", args=[case.pk]), {"comment": "撤回\x00原因"}))
    _refused(client.post(reverse("approvals:comment", args=[case.pk]), {"comment": "补充\x00说明"}))
    _refused(client.post(reverse("approvals:edit", args=[case.pk]), {"comment": "重新\x00提交", "submit": "1"}))
    login_as(client, world, Role.ADMIN)
    _refused(client.post(reverse("approvals:batch_approve"), {"case": f"{case.pk}:1:1", "comment": "同意\x00"}))
    # a NUL in a field name is refused too
    _refused(client.post(reverse("approvals:comment", args=[case.pk]), {"comm\x00ent": "x"}))
    assert changed_tables(before) == []
    status = case.status
    case.refresh_from_db()
    assert case.status == status


def test_every_get_url_with_nul_query_gives_no_server_error(client, world):
    wrong = []
    for role in (Role.CLERK, Role.SUPERVISOR, Role.ADMIN):
        login_as(client, world, role)
        for key, (build, _expected) in TABLE.items():
            path = build(world)
            path += ("&" if "?" in path else "?") + "q=%00"
            status = client.get(path).status_code
            if status >= 500:
                wrong.append(f"{key} as {role}: {status}")
    assert not wrong, "\n".join(wrong)
