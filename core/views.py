from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .navigation import PENDING_MODULES


def home(request):
    return render(request, "core/home.html", {"active_nav": "home"})


@require_GET
def search_view(request):
    from . import search

    q = request.GET.get("q", "")
    groups = search.search(request.user, q)
    return render(request, "core/search.html", {"q": q, "groups": groups, "too_short": 0 < len(q.strip()) < 2})


def module(request, slug: str):
    if slug not in PENDING_MODULES:
        raise Http404
    title, description = PENDING_MODULES[slug]
    return render(
        request, "core/module_pending.html", {"title": title, "description": description, "active_nav": slug}
    )


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as exc:  # any driver error means the database is not usable
        return f"error: {exc.__class__.__name__}"


def _broker_state() -> str:
    url = settings.CELERY_BROKER_URL
    if not url:
        return "eager"
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:  # kombu raises transport-specific errors
        return f"error: {exc.__class__.__name__}"


@login_not_required
@never_cache
@require_GET
def healthz(request):
    database = _database_state()
    broker = _broker_state()
    healthy = database == "ok"
    status = "ok" if healthy and broker in ("ok", "eager") else ("degraded" if healthy else "error")
    return JsonResponse({"status": status, "database": database, "broker": broker}, status=200 if healthy else 503)
