"""Idle sessions expire: every request renews the window, an expired one goes back to sign-in."""

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone


def _session(client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def test_each_request_renews_the_idle_window(client, office):
    client.force_login(office.clerk)
    session = _session(client)
    session.expire_date = timezone.now() + timedelta(minutes=1)
    session.save()

    assert client.get(reverse("home")).status_code == 200
    renewed = _session(client).expire_date
    expected = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((renewed - expected).total_seconds()) < 30


def test_an_idle_session_past_its_window_redirects_to_login(client, office):
    client.force_login(office.clerk)
    assert client.get(reverse("home")).status_code == 200
    session = _session(client)
    session.expire_date = timezone.now() - timedelta(seconds=1)
    session.save()

    response = client.get(reverse("module", args=["budget"]))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('module', args=['budget'])}"


def test_session_cookie_ends_with_the_browser(client, office):
    response = client.post(reverse("login"), {"username": office.clerk.username, "password": office.password})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == ""  # no persistent cookie: closing the browser signs out
    assert cookie["httponly"]
