"""django-axes locks a username + address after repeated failed sign-ins."""

from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse


def _attempt(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_five_failures_lock_the_account_and_the_right_password_is_then_refused(client, office):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        response = _attempt(client, office.clerk.username, "bad-password")
        assert response.status_code == 200
        assert "用户名或密码错误" in response.content.decode()
    response = _attempt(client, office.clerk.username, "bad-password")
    assert response.status_code == 429
    assert "账号已锁定" in response.content.decode()

    response = _attempt(client, office.clerk.username, office.password)
    assert response.status_code == 429
    assert 'data-testid="locked"' in response.content.decode()
    assert client.get(reverse("home")).status_code == 302  # still not signed in
    assert AccessAttempt.objects.get(username=office.clerk.username).failures_since_start >= 5


def test_lock_out_of_one_account_leaves_others_alone(client, office):
    for _ in range(5):
        _attempt(client, office.clerk.username, "bad-password")
    response = _attempt(client, office.clerk2.username, office.password)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_successful_sign_in_resets_the_failure_count(client, office):
    for _ in range(4):
        _attempt(client, office.clerk.username, "bad-password")
    assert _attempt(client, office.clerk.username, office.password).status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        assert _attempt(client, office.clerk.username, "bad-password").status_code == 200
    assert _attempt(client, office.clerk.username, office.password).status_code == 302
