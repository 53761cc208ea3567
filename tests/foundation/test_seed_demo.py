"""seed_demo builds the demo street office idempotently, and every demo login works."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from org.demo import DEMO_PASSWORD
from org.models import FunctionalDepartment, Role, Unit, User

README = Path(settings.BASE_DIR) / "README.md"


def _snapshot() -> dict:
    return {
        "units": Unit.objects.count(),
        "departments": Unit.objects.filter(kind=Unit.Kind.DEPARTMENT).count(),
        "communities": Unit.objects.filter(kind=Unit.Kind.COMMUNITY).count(),
        "people": User.objects.count(),
        "functional": dict(FunctionalDepartment.objects.values_list("field", "unit__code")),
        "supervision": dict(Unit.objects.values_list("code", "leader_in_charge__username")),
        "roles": {role: User.objects.with_role(role).count() for role in Role.values},
    }


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    return _snapshot()


def test_seed_demo_builds_a_street_office(demo):
    assert demo["units"] >= 30
    assert demo["departments"] == 23 and demo["communities"] == 7
    assert demo["people"] >= 100
    assert all(demo["roles"][role] >= 1 for role in Role.values), demo["roles"]
    assert set(demo["functional"]) == set(FunctionalDepartment.Field.values)
    supervised = [code for code, leader in demo["supervision"].items() if leader]
    assert len(supervised) == 30  # every department and community has a leader in charge
    for unit in Unit.objects.exclude(kind=Unit.Kind.LEADERSHIP):
        assert unit.heads().exists(), unit


def test_seed_demo_twice_changes_nothing(demo):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert _snapshot() == demo


def test_every_demo_person_can_sign_in_with_the_documented_password(demo):
    people = list(User.objects.all())
    assert all(p.is_active and p.check_password(DEMO_PASSWORD) for p in people)
    assert DEMO_PASSWORD in README.read_text(encoding="utf-8")


@pytest.mark.parametrize("role", Role.values)
def test_a_demo_login_of_every_role_reaches_the_shell(client, demo, role):
    person = User.objects.with_role(role).order_by("username").first()
    response = client.post(reverse("login"), {"username": person.username, "password": DEMO_PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response.context["user"] == person
    assert person.full_name in response.content.decode()


def test_the_readme_names_only_demo_logins_that_exist(demo):
    text = README.read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z0-9]+(?:_[a-z]+\d?)?)`", text)) & set(User.objects.values_list("username", flat=True))
    for username in ("admin", "shuji", "zhuren", "fuzhuren1", "caiwu", "kuaiji", "chuna", "jijian", "dzb_clerk1", "czb_head"):
        assert f"`{username}`" in text, username
    assert {"admin", "shuji", "caiwu", "jijian"} <= named
