"""The warning desk (风险预警台): list with filters, a warning's page with its records, figures
and trail, and the handling actions. Access: risk.permissions."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals import rules as registry
from org.models import Unit, User

from . import permissions, services
from .models import SEVERITIES, RiskWarning

PAGE_SIZE = 50


def _desk(request):
    if not permissions.may_open_desk(request.user):
        raise PermissionDenied


def index(request):
    _desk(request)
    qs = permissions.visible_warnings(request.user).select_related("unit", "owner")
    f = {k: request.GET.get(k, "") for k in ("rule", "severity", "unit", "status", "age")}
    status = f["status"] or "live"
    if status == "live":
        qs = qs.filter(status__in=RiskWarning.LIVE)
    elif status in RiskWarning.Status.values:
        qs = qs.filter(status=status)
    if f["rule"]:
        qs = qs.filter(rule_code=f["rule"])
    if f["severity"] in dict(SEVERITIES):
        qs = qs.filter(severity=f["severity"])
    if f["unit"].isdigit():
        qs = qs.filter(unit_id=int(f["unit"]))
    if f["age"].isdigit():
        qs = qs.filter(opened_at__lte=timezone.now() - dt.timedelta(days=int(f["age"])))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rules = registry.rules()
    for w in page:
        w.rule_title = rules[w.rule_code].title if w.rule_code in rules else w.rule_code
    return render(request, "risk/index.html", {
        "page_obj": page, "f": {**f, "status": status}, "rules": rules, "severities": SEVERITIES,
        "statuses": RiskWarning.Status.choices, "units": Unit.objects.filter(is_active=True).order_by("sort_order"),
        "active_nav": "risk",
    })


def _links(warning):
    out = []
    for label, pk in warning.records:
        url_name = registry.record_page(label)
        try:
            url = reverse(url_name, args=[pk]) if url_name else None
        except NoReverseMatch:
            url = None
        out.append({"label": label, "pk": pk, "url": url})
    return out


def detail(request, pk: int):
    _desk(request)
    warning = permissions.warning_for(request.user, pk)
    services.warning_viewed(warning=warning, actor=request.user)  # the trail of who looked
    rule = registry.get_rule(warning.rule_code)
    may = {a: permissions.may_handle(request.user, warning, a) for a in services.ACTIONS}
    return render(request, "risk/detail.html", {
        "warning": warning, "rule": rule, "links": _links(warning), "may": may,
        "actions": warning.actions.select_related("actor"),
        "people": User.objects.filter(is_active=True).order_by("unit__sort_order", "username") if may["assign"] else [],
        "active_nav": "risk",
    })


@require_POST
def act(request, pk: int):
    _desk(request)
    warning = permissions.warning_for(request.user, pk)
    action = request.POST.get("action", "")
    owner = None
    if action == "assign":
        owner = User.objects.filter(pk=request.POST.get("owner") or 0, is_active=True).first()
    try:
        services.warning_act(warning=warning, actor=request.user, action=action, note=request.POST.get("note", ""),
                             owner=owner)
    except services.RiskError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Done."))
    return redirect("risk:detail", pk=warning.pk)
