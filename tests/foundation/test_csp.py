"""The content-security policy lets pages load only from the app's own origin."""

import pytest
from django.urls import reverse

ALLOWED_SOURCES = {"'self'", "'none'", "data:"}


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    policy = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            policy[words[0]] = words[1:]
    return policy


@pytest.mark.parametrize("signed_in", [False, True])
def test_every_page_sends_a_self_only_policy(client, office, signed_in):
    if signed_in:
        client.force_login(office.clerk)
        url = reverse("home")
    else:
        url = reverse("login")
    response = client.get(url)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    for directive, sources in policy.items():
        assert set(sources) <= ALLOWED_SOURCES, (directive, sources)
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_other_security_headers(client, db):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
