"""Sign-in lock-out and session expiry across the whole site (one page of each is proven in
tests/foundation): the administration's sign-in counts toward the same lock-out as the
site's, a lock ends after its cool-off, and an expired session is exactly an anonymous
visitor on every URL of the table — pages, downloads, POSTs and the administration."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from approvals.models import Action

from .conftest import ANON, walk_urls
from .test_url_table import TABLE, _admin_expected, _admin_model_of, _admin_path


def _try(client, path, username, password):
    return client.post(path, {"username": username, "password": password})


def test_failures_at_the_admin_sign_in_lock_the_site_sign_in_too(client, world):
    admin = world.office.admin
    for _ in range(3):
        assert _try(client, reverse("admin:login"), admin.username, "wrong-password").status_code == 200
    for _ in range(2):
        _try(client, reverse("login"), admin.username, "wrong-password")
    # five failures in all, through two doors: both are now shut, even with the right password
    assert _try(client, reverse("login"), admin.username, world.office.password).status_code == 429
    assert _try(client, reverse("admin:login"), admin.username, world.office.password).status_code == 429
    assert client.get(reverse("admin:index")).status_code == 302  # not signed in


def test_a_lock_ends_after_its_cool_off(client, world):
    clerk = world.office.clerk
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _try(client, reverse("login"), clerk.username, "wrong-password")
    assert _try(client, reverse("login"), clerk.username, world.office.password).status_code == 429
    # half an hour later (the attempts are dated back rather than the clock moved)
    AccessAttempt.objects.filter(username=clerk.username).update(
        attempt_time=timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1))
    response = _try(client, reverse("login"), clerk.username, world.office.password)
    assert response.status_code == 302 and response["Location"] == reverse("home")


def _expire(client):
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))


def _cases(world):
    for route, name, _cb in walk_urls():
        key = name or route
        found = _admin_model_of(key)
        if found:
            model, action = found
            yield key, _admin_path(model, action, world), _admin_expected(model._meta.label_lower, action)[ANON]
        else:
            build, expected = TABLE[key]
            yield key, build(world), expected[ANON]


def test_an_expired_session_is_an_anonymous_visitor_everywhere(world):
    cases = list(_cases(world))
    for person in (world.office.clerk, world.office.admin):
        client = Client()
        client.force_login(person)
        assert client.get(reverse("home")).status_code == 200
        _expire(client)
        wrong = []
        for key, path, anonymous in cases:
            response = client.get(path)
            if response.status_code != anonymous:
                wrong.append(f"{key} {path}: {response.status_code}, anonymous gets {anonymous}")
        assert not wrong, f"expired session of {person.username}:\n" + "\n".join(wrong)


def test_an_expired_session_cannot_act(world):
    case = world.foreign
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.office.heads["cgzx"])  # the holder of the current step
    client.get(reverse("home"))
    token = client.cookies["csrftoken"].value
    _expire(client)
    response = client.post(reverse("approvals:decide", args=[case.pk]),
                           {"decision": "approve", "comment": "同意。", "step_id": case.current_step_id, "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not Action.objects.filter(case=case, kind="approve").exists()
