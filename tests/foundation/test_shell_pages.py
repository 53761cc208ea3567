"""Every page of the shell renders for every role; anonymous visitors go to sign-in;
the administration pages are for staff only."""

import pytest
from django.contrib import admin
from django.urls import reverse

from core.navigation import NAV_ITEMS, PENDING_MODULES
from org.models import FunctionalDepartment, Role, Unit

ROLES = [r.value for r in Role]


def _shell_urls(response) -> list[str]:
    return [item["url"] for item in response.context["nav_items"]]


@pytest.mark.parametrize("role", ROLES)
def test_every_shell_page_renders_for_every_role(client, office, role, django_assert_max_num_queries):
    user = office.by_role[role]
    client.force_login(user)
    with django_assert_max_num_queries(12):
        home = client.get(reverse("home"))
    assert home.status_code == 200
    urls = _shell_urls(home)
    assert len(urls) == len([item for item in NAV_ITEMS if item.shown_to(user)])
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (role, url, response.status_code)
        html = response.content.decode()
        assert user.full_name in html, url
    for slug in PENDING_MODULES:
        response = client.get(reverse("module", args=[slug]))
        assert response.status_code == 200, (role, slug)
        assert 'data-testid="sidenav"' in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_administration_link_only_for_administrators(client, office, role):
    client.force_login(office.by_role[role])
    keys = [item["key"] for item in client.get(reverse("home")).context["nav_items"]]
    assert ("admin" in keys) is (role == Role.ADMIN)


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    pages = [reverse("home")] + [reverse("module", args=[slug]) for slug in PENDING_MODULES]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('login')}?next={url}", url


def test_unknown_module_is_not_found(client, office):
    client.force_login(office.clerk)
    response = client.get("/m/no-such-module/")
    assert response.status_code == 404


@pytest.mark.parametrize("role", [r for r in ROLES if r != Role.ADMIN])
def test_administration_is_refused_to_non_staff(client, office, role):
    client.force_login(office.by_role[role])
    for url in (reverse("admin:index"), reverse("admin:org_user_changelist"), reverse("admin:org_unit_add")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
    response = client.post(reverse("admin:org_unit_add"), {"code": "HACK", "name": "越权部门", "kind": "department"})
    # sent to the admin's sign-in; the supervisor's write is refused before that (core.middleware)
    assert response.status_code == (403 if role == "supervisor" else 302)
    assert not Unit.objects.filter(code="HACK").exists()


def test_every_administration_page_renders_for_the_administrator(client, office):
    client.force_login(office.admin)
    assert client.get(reverse("admin:index")).status_code == 200
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, url
    for obj in (office.unit, office.clerk, FunctionalDepartment.objects.first()):
        opts = obj._meta
        for view in ("change", "history"):
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])
            assert client.get(url).status_code == 200, url


def test_administrator_edits_organisation_and_history_is_kept(client, office):
    client.force_login(office.admin)
    unit = office.unit
    data = {
        "code": unit.code,
        "name": "公共服务办公室（改）",
        "kind": unit.kind,
        "parent": "",
        "leader_in_charge": office.finance_leader.pk,
        "sort_order": unit.sort_order,
        "is_active": "on",
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:org_unit_change", args=[unit.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    unit.refresh_from_db()
    assert unit.name == "公共服务办公室（改）"
    assert unit.leader_in_charge == office.finance_leader
    latest = unit.history.first()
    assert latest.history_user == office.admin
    assert latest.name == "公共服务办公室（改）"


def test_administrator_bad_input_shows_a_message_and_saves_nothing(client, office):
    client.force_login(office.admin)
    response = client.post(
        reverse("admin:org_unit_add"),
        {"code": office.unit.code, "name": "", "kind": "department", "sort_order": 0,
         "members-TOTAL_FORMS": "0", "members-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "这个字段是必填项" in html  # name is required
    assert "已存在" in html  # the code is taken
    assert Unit.objects.filter(code=office.unit.code).count() == 1
