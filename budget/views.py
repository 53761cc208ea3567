"""Budget pages. Thin: access through ``selectors.budget_scope`` / ``line_for_user`` (which
raise PermissionDenied), forms normalise, services decide."""

from __future__ import annotations

import io
import tempfile
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from org.models import Unit

from . import exports, selectors, services, xlsx
from .exceptions import BudgetError, BudgetImportError
from .forms import ExecutionFilterForm, ImportForm
from .models import BudgetLine, BudgetMovement, ExportJob, FundSource

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUMMARY_ABOVE = 800  # lines: past this the page opens on the unit summary


def _years(scope) -> list[int]:
    qs = BudgetLine.objects.all()
    if scope is not None:
        qs = qs.filter(unit_id__in=scope)
    return list(qs.order_by().values_list("year", flat=True).distinct())


def _filters(request, scope):
    form = ExecutionFilterForm(request.GET or None, scope=scope, years=_years(scope))
    return form, form.values()


@require_GET
def index(request):
    """预算执行情况表: the live execution table with subtotals, charts and drill-down."""
    scope = selectors.budget_scope(request.user)
    form, f = _filters(request, scope)
    table = selectors.execution_table(user=request.user, **f)
    months = selectors.monthly_paid(user=request.user, **f)
    query = urlencode({k: v for k, v in {"year": f["year"], "fund_source": f["fund_source"] or ""}.items() if v != ""})
    # a big office-wide table opens as the unit summary; a unit (or "all lines") shows every line
    show_lines = bool(f["unit_id"]) or request.GET.get("detail") == "1" or table.line_count <= SUMMARY_ABOVE
    return render(request, "budget/index.html", {
        "active_nav": "budget",
        "form": form,
        "filters": f,
        "query": query,
        "table": table,
        "show_lines": show_lines,
        "summary_above": SUMMARY_ABOVE,
        "charts": selectors.chart_data(table, months),
        "can_manage": selectors.can_manage_budget(request.user),
        "sync_limit": exports.sync_limit(),
    })


@require_GET
def line_detail(request, pk: int):
    try:
        line = selectors.line_for_user(request.user, pk)
    except BudgetLine.DoesNotExist:
        raise Http404 from None
    figures = selectors.line_figures(line)
    movements = (
        BudgetMovement.objects.filter(line=line).select_related("case", "actor", "source_type").order_by("-id")[:200]
    )
    history = line.history.select_related("history_user").order_by("-history_date")[:20]
    return render(request, "budget/line_detail.html", {
        "active_nav": "budget",
        "line": line,
        "figures": figures,
        "movements": movements,
        "cases": selectors.line_cases(line)[:100],
        "adjustments": line.adjustments.select_related("case").order_by("-id")[:50],
        "adjustments_in": line.adjustments_in.select_related("case").order_by("-id")[:50],
        "history": history,
        "time_progress": selectors.time_progress(line.year),
    })


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_GET
def ledger(request):
    """Drill-down: the ledger rows behind a figure of the table."""
    params = {
        "year": _int(request.GET.get("year")),
        "line_id": _int(request.GET.get("line")),
        "unit_id": _int(request.GET.get("unit")),
        "project": request.GET.get("project") or None,
        "economic_code": request.GET.get("economic_code") or None,
        "fund_source": request.GET.get("fund_source") if request.GET.get("fund_source") in FundSource.values else None,
        "figure": request.GET.get("figure") if request.GET.get("figure") in selectors.FIGURES else None,
    }
    qs = selectors.ledger_queryset(user=request.user, **params)
    total = qs.aggregate(total=Sum("amount"))["total"]
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    line = None
    if params["line_id"]:
        try:
            line = selectors.line_for_user(request.user, params["line_id"])
        except BudgetLine.DoesNotExist:
            raise Http404 from None
    unit = Unit.objects.filter(pk=params["unit_id"]).first() if params["unit_id"] and not line else None
    figure_labels = figure_names()
    return render(request, "budget/ledger.html", {
        "active_nav": "budget",
        "page_obj": page,
        "movements": page.object_list,
        "total": total,
        "params": params,
        "line": line,
        "unit": unit,
        "figure_label": figure_labels.get(params["figure"]),
        "fund_label": dict(FundSource.choices).get(params["fund_source"]),
    })


def figure_names() -> dict[str, str]:
    return {
        "adjustments": _("Adjustments"),
        "in_approval": _("In approval"),
        "arranged": _("Arranged"),
        "contracted": _("Contracted"),
        "paid": _("Paid"),
    }


def _require_manager(user) -> None:
    selectors.budget_scope(user)
    if not selectors.can_manage_budget(user):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def import_lines(request):
    _require_manager(request.user)
    errors = None
    summary = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            year = form.cleaned_data["year"]
            try:
                created = services.budget_import(year=year, file=form.cleaned_data["file"], actor=request.user)
            except BudgetImportError as exc:
                errors, summary = exc.errors, exc.message
            except BudgetError as exc:
                errors, summary = [], exc.message
            else:
                messages.success(request, _("%(n)s budget lines of %(year)s imported.") % {"n": len(created), "year": year})
                return redirect(f"{reverse('budget:index')}?year={year}")
    else:
        form = ImportForm()
    status = 400 if (errors is not None or (request.method == "POST" and not form.is_valid())) else 200
    return render(request, "budget/import.html", {
        "active_nav": "budget", "form": form, "errors": errors, "summary": summary,
    }, status=status)


@require_GET
def import_template(request):
    _require_manager(request.user)
    year = _int(request.GET.get("year")) or timezone.localdate().year
    if not 2000 <= year <= 2100:
        year = timezone.localdate().year
    buffer = io.BytesIO()
    xlsx.build_template(buffer, year=year)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    name = _("budget-lines-template-%(year)s.xlsx") % {"year": year}
    response["Content-Disposition"] = _content_disposition(name)
    return response


def _content_disposition(name: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"{quote(name)}\"; filename*=UTF-8''{quote(name)}"


@require_POST
def export(request):
    """Small exports stream straight back; large ones become a background job."""
    scope = selectors.budget_scope(request.user)
    form = ExecutionFilterForm(request.POST, scope=scope, years=_years(scope))
    f = form.values()
    count = selectors.count_lines(user=request.user, **f)
    if count > exports.sync_limit():
        job = exports.export_job_create(user=request.user, **f)
        return redirect("budget:export_job", pk=job.pk)
    tmp = tempfile.TemporaryFile()
    exports.write_export(tmp, user=request.user, **f)
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=exports.file_name(f["year"]), content_type=XLSX)


def _job_for_user(request, pk) -> ExportJob:
    selectors.budget_scope(request.user)
    job = get_object_or_404(ExportJob, pk=pk)
    if job.user_id != request.user.pk:
        raise PermissionDenied
    return job


@require_GET
def export_job(request, pk):
    job = _job_for_user(request, pk)
    return render(request, "budget/export_job.html", {"active_nav": "budget", "job": job})


@require_GET
def export_progress(request, pk):
    job = _job_for_user(request, pk)
    return render(request, "budget/_export_progress.html", {"job": job})


@require_GET
def export_download(request, pk):
    job = _job_for_user(request, pk)
    path = exports.export_job_path(job)
    if path is None:
        raise Http404
    return FileResponse(open(path, "rb"), as_attachment=True, filename=exports.file_name(job.params.get("year")),
                        content_type=XLSX)
