"""/healthz reports the database and the Celery broker, without signing in."""

import socket

import pytest
from django.test import override_settings
from django.urls import reverse


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@override_settings(CELERY_BROKER_URL="")
def test_health_reports_database_ok_and_eager_broker(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.redis
def test_health_reports_broker_ok_against_real_redis(client, db, redis_url):
    with override_settings(CELERY_BROKER_URL=redis_url):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_health_reports_broker_error_when_nothing_listens(client, db):
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{_closed_port()}/0"):
        response = client.get(reverse("healthz"))
    body = response.json()
    assert response.status_code == 200  # the web app itself still serves
    assert body["database"] == "ok"
    assert body["broker"].startswith("error")
    assert body["status"] == "degraded"


def test_health_refuses_other_methods(client, db):
    assert client.post(reverse("healthz")).status_code == 405
