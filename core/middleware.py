"""Refuse any request whose query string or form carries a NUL character (PostgreSQL cannot
store one in text, and no person types one): a 400 with a clear message, before any view
runs, so nothing is half-saved. One place covers every search box, filter and form."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values if isinstance(v, str)) for key, values in data.lists())


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST)):
            message = _("The input contains a character that is not allowed (NUL). Remove it and try again.")
            if request.headers.get("HX-Request"):
                return render(request, "partials/_refused.html", {"message": message}, status=400)
            return render(request, "400.html", {"message": message}, status=400)
        return self.get_response(request)
