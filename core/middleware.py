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


# Requests a read-only person (User.changes_nothing: the supervisor) may still POST: they change
# nothing of the office's business records, only the person's own session, ask for a read (an
# export job is a request to read, kept for its owner), or handle a risk warning (supervision's
# own work: acknowledging, assigning, resolving a warning changes only the risk app's records).
# marking one's own notices read changes no record of the office (opening the page does it too)
READ_ONLY_MAY_POST = frozenset({"login", "logout", "admin:logout", "budget:export", "risk:act", "approvals:notifications_read_all"})


class ReadOnlyRolesMiddleware:
    """Deny by default: a person whose every role only reads (纪检监察/审计) gets a 403 with a
    clear message for any POST, PUT, PATCH or DELETE to a URL not in READ_ONLY_MAY_POST, before
    the view reads the form. A write URL added later is refused to them without anyone
    remembering to; the services (approvals.services._require_writer and the apps' permission
    helpers) refuse them again for callers that are not views."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return None
        user = getattr(request, "user", None)
        if not (user and user.is_authenticated and getattr(user, "changes_nothing", False)):
            return None
        match = request.resolver_match
        if match and match.view_name in READ_ONLY_MAY_POST:
            return None
        message = _("Supervisors read every case but change nothing.")
        template = "partials/_refused.html" if request.headers.get("HX-Request") else "403.html"
        return render(request, template, {"message": message, "exception": message}, status=403)
