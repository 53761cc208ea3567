"""Procurement pages. Thin: access through ``selectors`` (PermissionDenied / Http404),
forms normalise, services decide, a ``ProcurementError`` becomes a message."""

from __future__ import annotations

import tempfile
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from approvals.exceptions import ApprovalError
from documents.selectors import documents_of

from . import selectors, services, xlsx
from .forms import PurchaseFilterForm, QualificationForm, ReasonForm, SupplierFilterForm, SupplierForm
from .models import Award, Purchase, Supplier, Threshold

PAGE_SIZE = 50
CODE_ERRORS = ("duplicate", "credit_code", "org_code_unconfirmed")  # shown under the credit-code field
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _safe_next(request, fallback: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return nxt
    return fallback


# --- purchases -----------------------------------------------------------------------------------------
@require_GET
def index(request):
    """采购: the purchases the person may see, with filters."""
    scope = selectors.procurement_scope(request.user)
    years = Purchase.objects.dates("created_at", "year")
    form = PurchaseFilterForm(request.GET or None, scope=scope, years=[d.year for d in years])
    qs = selectors.purchases_for(request.user)
    if form.is_valid():
        f = form.cleaned_data
        if f.get("year"):
            qs = qs.filter(case__year=f["year"])
        if f.get("unit"):
            qs = qs.filter(unit=f["unit"])
        for key in ("category", "method", "status"):
            if f.get(key):
                qs = qs.filter(**{key: f[key]})
        if f.get("q"):
            q = f["q"].strip()
            qs = qs.filter(Q(case__number__icontains=q) | Q(case__title__icontains=q) | Q(item_class__icontains=q)
                           | Q(award__supplier__name__icontains=q))
    page = Paginator(qs.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "procurement/index.html", {
        "active_nav": "procurement", "form": form, "page_obj": page, "purchases": page.object_list,
    })


@require_GET
def purchase_detail(request, pk: int):
    purchase = selectors.purchase_for_user(request.user, pk)
    award = Award.objects.select_related("supplier", "quote").filter(purchase=purchase).first()
    return render(request, "procurement/purchase_detail.html", {
        "active_nav": "procurement", "purchase": purchase, "award": award,
        "quotes": selectors.quotes_with_documents(purchase, history=True),
        "requirement": selectors.method_requirement(amount=purchase.case.amount, category=purchase.category)
        if purchase.case.amount else None,
        "history": purchase.history.select_related("history_user").order_by("-history_date")[:20],
    })


@require_GET
def results(request):
    """信息内部公开: approved awards, for all staff."""
    selectors.require_reader(request.user)
    page = Paginator(selectors.published_awards(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "procurement/results.html", {"active_nav": "procurement", "page_obj": page, "awards": page.object_list})


@require_GET
def thresholds(request):
    selectors.require_reader(request.user)
    today = timezone.localdate()
    rows = Threshold.objects.all().order_by("kind", "category", "-effective_from")
    in_force = set(selectors.thresholds_in_force(today).values_list("pk", flat=True))
    return render(request, "procurement/thresholds.html", {
        "active_nav": "procurement", "thresholds": rows, "in_force": in_force, "today": today,
        "can_edit": request.user.is_staff and request.user.has_perm("procurement.change_threshold"),
    })


# --- suppliers ---------------------------------------------------------------------------------------------
def _supplier_years():
    return [d.year for d in Award.objects.filter(awarded_on__isnull=False).dates("awarded_on", "year")]


@require_GET
def supplier_list(request):
    selectors.require_reader(request.user)
    form = SupplierFilterForm(request.GET or None, years=_supplier_years())
    f = form.values()
    qs = selectors.supplier_list(**f)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "procurement/supplier_list.html", {
        "active_nav": "procurement", "form": form, "filters": f, "page_obj": page, "suppliers": page.object_list,
        "can_register": selectors.can_register_suppliers(request.user), "today": timezone.localdate(),
        "query": urlencode({k: v for k, v in f.items() if v}),
    })


@require_GET
def supplier_export(request):
    selectors.require_reader(request.user)
    form = SupplierFilterForm(request.GET or None, years=_supplier_years())
    f = form.values()
    tmp = tempfile.TemporaryFile()
    xlsx.write_suppliers(tmp, selectors.supplier_list(**f).iterator(chunk_size=2000), year=f["year"], user=request.user)
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=_("suppliers-%(year)s.xlsx") % {"year": f["year"]}, content_type=XLSX)


@require_GET
def supplier_totals(request):
    """供应商累计成交情况: per supplier, the year's awards, contracts and payments."""
    selectors.require_reader(request.user)
    form = SupplierFilterForm(request.GET or None, years=_supplier_years())
    year = form.values()["year"]
    rows = selectors.supplier_year_totals(year=year)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "procurement/supplier_totals.html", {
        "active_nav": "procurement", "form": form, "year": year, "page_obj": page, "rows": page.object_list,
    })


@require_GET
def supplier_totals_export(request):
    selectors.require_reader(request.user)
    form = SupplierFilterForm(request.GET or None, years=_supplier_years())
    year = form.values()["year"]
    tmp = tempfile.TemporaryFile()
    xlsx.write_supplier_totals(tmp, selectors.supplier_year_totals(year=year).iterator(chunk_size=2000), year=year,
                              user=request.user)
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=_("supplier-totals-%(year)s.xlsx") % {"year": year}, content_type=XLSX)


@require_http_methods(["GET", "POST"])
def supplier_create(request):
    if not selectors.can_register_suppliers(request.user):
        raise PermissionDenied
    form = SupplierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            supplier = services.supplier_create(actor=request.user, name=data.pop("name"), credit_code=data.pop("credit_code"),
                                                org_code_confirmed=data.pop("confirm_org_code"), **data)
        except ApprovalError as exc:
            form.add_error("credit_code" if exc.code in CODE_ERRORS else None, exc.message)
        else:
            messages.success(request, _("Supplier registered: %(name)s") % {"name": supplier.name})
            return redirect("procurement:supplier_detail", pk=supplier.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "procurement/supplier_form.html", {"active_nav": "procurement", "form": form}, status=status)


@require_http_methods(["GET", "POST"])
def supplier_edit(request, pk: int):
    supplier = get_object_or_404(Supplier, pk=pk)
    if not selectors.can_manage_suppliers(request.user):
        raise PermissionDenied
    form = SupplierForm(request.POST or None, instance=Supplier.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.supplier_update(supplier=supplier, actor=request.user, org_code_confirmed=data.pop("confirm_org_code"),
                                     **data)
        except ApprovalError as exc:
            form.add_error("credit_code" if exc.code in CODE_ERRORS else None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("procurement:supplier_detail", pk=supplier.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "procurement/supplier_form.html", {"active_nav": "procurement", "form": form, "supplier": supplier},
                  status=status)


@require_GET
def supplier_detail(request, pk: int):
    selectors.require_reader(request.user)
    supplier = get_object_or_404(Supplier.objects.select_related("blacklisted_by", "created_by"), pk=pk)
    today = timezone.localdate()
    qualifications = list(supplier.qualifications.all())
    for q in qualifications:
        q.is_expired = q.expired(today)
        q.docs = list(documents_of(q))
    return render(request, "procurement/supplier_detail.html", {
        "active_nav": "procurement", "supplier": supplier, "qualifications": qualifications,
        "totals": selectors.supplier_totals_by_year(supplier), **selectors.supplier_records(supplier, request.user),
        "can_manage": selectors.can_manage_suppliers(request.user), "can_blacklist": selectors.can_blacklist(request.user),
        "qualification_form": QualificationForm(), "reason_form": ReasonForm(),
        "history": supplier.history.select_related("history_user").order_by("-history_date")[:20],
    })


@require_GET
def supplier_records_export(request, pk: int):
    """One supplier's records and totals by year, as a workbook."""
    selectors.require_reader(request.user)
    supplier = get_object_or_404(Supplier, pk=pk)
    tmp = tempfile.TemporaryFile()
    xlsx.write_supplier_records(tmp, supplier, totals=selectors.supplier_totals_by_year(supplier),
                                records=selectors.supplier_records(supplier, request.user), user=request.user)
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=_("supplier-%(code)s.xlsx") % {"code": supplier.credit_code},
                        content_type=XLSX)


@require_POST
def supplier_blacklist(request, pk: int):
    supplier = get_object_or_404(Supplier, pk=pk)
    form = ReasonForm(request.POST)
    lift = request.POST.get("action") == "lift"
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("procurement:supplier_detail", pk=pk)
    try:
        if lift:
            services.supplier_unblacklist(supplier=supplier, actor=request.user, reason=form.cleaned_data["reason"])
        else:
            services.supplier_blacklist(supplier=supplier, actor=request.user, reason=form.cleaned_data["reason"])
    except ApprovalError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Blacklist lifted.") if lift else _("Supplier blacklisted."))
    return redirect("procurement:supplier_detail", pk=pk)


@require_POST
def qualification_add(request, pk: int):
    supplier = get_object_or_404(Supplier, pk=pk)
    form = QualificationForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("procurement:supplier_detail", pk=pk)
    d = form.cleaned_data
    try:
        services.qualification_add(supplier=supplier, actor=request.user, name=d["name"], number=d.get("number") or "",
                                   valid_until=d.get("valid_until"), file=d.get("file"))
    except ApprovalError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Qualification recorded."))
    return redirect("procurement:supplier_detail", pk=pk)


