"""The warning desk (风险预警台): list with filters, a warning's page with its records, figures
and trail, and the handling actions. Access: risk.permissions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

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
        "sees_all": permissions.sees_all(request.user), "active_nav": "risk",
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


def suppliers(request):
    """供应商分析: each supplier's share of every category's awards in a year, the captive
    suppliers, and the live supplier warnings (identical quotes, shared contacts,
    concentration, lapsed suppliers)."""
    from procurement.models import PurchaseCategory
    from procurement.rules import award_shares, captive_suppliers

    _desk(request)
    if not permissions.sees_all(request.user):
        raise PermissionDenied
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else timezone.localdate().year
    rule = registry.get_rule("PRO-07")
    conf = registry.settings_of(rule)
    labels = dict(PurchaseCategory.choices)
    shares = []
    for r in award_shares(year):
        total = r["category_total"] or 0
        shares.append({**r, "category": labels.get(r["purchase__category"], r["purchase__category"]),
                       "share": (r["amount"] * 100 / total).quantize(Decimal("0.01")) if total else None})
    warnings = (RiskWarning.objects.filter(rule_code__in=["PRO-06", "PRO-07", "PRO-08"], status__in=RiskWarning.LIVE)
                .select_related("unit")[:200])
    return render(request, "risk/suppliers.html", {
        "year": year, "shares": shares, "captive": captive_suppliers(year, int(conf.params["captive_awards"])),
        "threshold": conf.params["share"], "warnings": warnings, "active_nav": "risk",
    })


def benford(request):
    """本福特定律抽样: the first digits of each unit's payments against Benford's law, for the
    supervisors' sample review (not a warning)."""
    from . import selectors

    _desk(request)
    if not permissions.sees_all(request.user):
        raise PermissionDenied
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else timezone.localdate().year
    units, few = selectors.benford(year)
    return render(request, "risk/benford.html", {
        "year": year, "units": units, "few": few, "min_payments": selectors.BENFORD_MIN_PAYMENTS,
        "mad_limit": selectors.BENFORD_MAD_LIMIT, "expected": list(selectors.BENFORD_EXPECTED.values()),
        "active_nav": "risk",
    })
