"""Project pages: the ledger (工程项目台账) with its export, a new project, the project page with
its chain (关联查询) and one POST per action. Thin: access through ``permissions`` (404 outside
the person's scope, 403 for a change they may not make), services decide."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from approvals.exceptions import ApprovalError
from assets import services as asset_services
from core.stages import Stage
from documents import services as document_services
from documents.exceptions import DocumentError

from . import forms, permissions, selectors, services, xlsx
from .models import DocKind, Project, Settlement

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(request):
    scope = permissions.scope(request.user)
    form = forms.LedgerFilterForm(request.GET or None, scope=scope)
    return scope, form, form.values()


@require_GET
def index(request):
    """工程项目台账: per project the estimate, 概算, contracts, changes, work done, paid and the
    audited settlement; filters, totals and the .xlsx export. One query for the rows."""
    scope, form, f = _filters(request)
    qs = selectors.ledger_queryset(scope=scope, **f)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    totals = selectors.Totals()
    for p in qs:
        totals.add(p)
    return render(request, "construction/index.html", {
        "active_nav": "construction", "form": form, "page_obj": page, "projects": page.object_list, "totals": totals,
        "query": request.GET.urlencode(), "can_create": permissions.can_create(request.user),
    })


@require_GET
def export(request):
    scope, form, f = _filters(request)
    tmp = tempfile.TemporaryFile()
    xlsx.write_ledger(tmp, scope=scope, filters=f, user=request.user)
    tmp.seek(0)
    name = _("project-ledger-%(date)s.xlsx") % {"date": timezone.localdate().strftime("%Y%m%d")}
    return FileResponse(tmp, as_attachment=True, filename=name, content_type=XLSX)


@require_http_methods(["GET", "POST"])
def project_new(request):
    permissions.scope(request.user)
    if not permissions.can_create(request.user):
        raise PermissionDenied
    form = forms.ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            project = services.project_create(actor=request.user, name=d["name"], location=d["location"], kind=d["kind"],
                                              estimate=d["estimate"], necessity=d["necessity"], scale=d.get("scale") or "",
                                              funding=form.funding())
        except ApprovalError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Project %(number)s created; attach the feasibility study and submit the initiation "
                                        "form %(case)s.") % {"number": project.number, "case": project.case.number})
            return redirect("approvals:detail", pk=project.case_id)
    return render(request, "construction/new.html", {"active_nav": "construction", "form": form})


@require_GET
def detail(request, pk: int):
    project = permissions.project_for(request.user, pk)
    can_change = permissions.can_change(request.user, project)
    S = Project.Status
    fig = selectors.figures(project)
    action_forms = {}
    if can_change:
        st = project.status
        if st == S.INITIATED and project.case.stage_key == Stage.PROJECT_BUDGET:
            action_forms["budget"] = forms.BudgetForm(initial={"amount": project.budget_estimate or project.estimate})
        if st in (S.ESTIMATED, S.BUILDING):
            action_forms["link"] = forms.LinkForm(project=project)
        if st == S.ESTIMATED:
            action_forms["start"] = forms.DateForm()
        if st == S.BUILDING:
            action_forms["progress"] = forms.ProgressForm()
            action_forms["change"] = forms.ChangeForm()
            action_forms["complete"] = forms.DateForm()
        if st in (S.BUILDING, S.COMPLETED, S.SETTLED):
            action_forms["payment"] = forms.PaymentForm()
        if st == S.COMPLETED and not Settlement.objects.filter(project=project).exclude(
                status=Settlement.Status.CANCELLED).exists():
            action_forms["settlement"] = forms.SettlementForm(initial={"amount": fig.construction + fig.changes_approved})
        if st == S.SETTLED:
            action_forms["final"] = forms.FinalForm()
        if project.completed_on and project.handed_over_on is None:
            action_forms["handover"] = forms.HandoverForm(initial={"receiving_unit": project.unit_id})
    construction = selectors.construction_contract(project)
    return render(request, "construction/detail.html", {
        "active_nav": "construction", "project": project, "figures": fig, "can_change": can_change,
        "timeline": selectors.timeline(project), "missing": selectors.missing(project),
        "documents": selectors.documents_by_stage(project), "forms": action_forms,
        "funding": list(selectors.funding_of(project)),
        "prefinanced": selectors.prefinanced_contracts(project),
        "contracts": list(project.contracts.select_related("contract__supplier").order_by("id")),
        "changes": list(project.changes.select_related("case").order_by("id")),
        "reports": list(project.progress.order_by("reported_on", "id")),
        "payments": list(project.payments.select_related("case", "contract").order_by("id")),
        "settlement": Settlement.objects.filter(project=project).select_related("case").first(),
        "final_accounts": getattr(project, "final_accounts", None) if project.completed_on else None,
        "cards": list(asset_services.cards_of("construction.project", project.pk)),
        "rate": services.contract_rate(construction) if construction else None,
        "deadline": selectors.payment_deadline(project), "doc_kinds": DocKind.choices, "today": timezone.localdate(),
    })


def _fail(request, project, message):
    messages.error(request, message)
    return redirect("construction:detail", pk=project.pk)


def _form_errors(form) -> str:
    return " ".join(str(e) for errs in form.errors.values() for e in errs)


ACTIONS = {}


def action(name, form_class):
    def wrap(fn):
        ACTIONS[name] = (form_class, fn)
        return fn
    return wrap


@action("budget", forms.BudgetForm)
def _budget(request, project, d):
    services.project_budget_set(project=project, actor=request.user, amount=d["amount"])
    return _("概算 saved; submit the 概算 stage of form %(case)s.") % {"case": project.case.number}, ("approvals:detail", project.case_id)


@action("link", None)
def _link(request, project, d):
    form = forms.LinkForm(request.POST, project=project)
    if not form.is_valid():
        raise ApprovalError(_form_errors(form))
    c = form.cleaned_data
    services.project_contract_link(project=project, contract=c["contract"], role=c["role"], actor=request.user)
    return _("Contract %(number)s added to the project.") % {"number": c["contract"].number}, None


@action("start", forms.DateForm)
def _start(request, project, d):
    services.project_start(project=project, actor=request.user, started_on=d["on"])
    return _("Construction started."), None


@action("progress", forms.ProgressForm)
def _progress(request, project, d):
    with transaction.atomic():
        report = services.progress_report_add(project=project, actor=request.user, reported_on=d["reported_on"],
                                              work_done=d["work_done"], note=d.get("note") or "")
        if d.get("photo"):
            try:
                document_services.attach(owner=report, upload=d["photo"], kind=DocKind.PHOTO, actor=request.user)
            except DocumentError as exc:
                raise ApprovalError(exc.message) from None
    return _("Progress report saved."), None


@action("change", forms.ChangeForm)
def _change(request, project, d):
    change = services.change_order_start(project=project, actor=request.user, kind=d["kind"], amount=d["amount"],
                                         reason=d["reason"])
    return (_("Change form %(case)s started; attach its materials and submit.") % {"case": change.case.number},
            ("approvals:detail", change.case_id))


@action("payment", forms.PaymentForm)
def _payment(request, project, d):
    p = services.progress_payment_start(project=project, actor=request.user, amount=d["amount"],
                                        invoice_number=d["invoice_number"])
    return (_("Progress payment form %(case)s started; attach the report and invoice and submit.") % {"case": p.case.number},
            ("approvals:detail", p.case_id))


@action("complete", forms.DateForm)
def _complete(request, project, d):
    services.project_complete(project=project, actor=request.user, completed_on=d["on"])
    return _("Completion acceptance recorded; the final accounts are due within 3 months."), None


@action("settlement", forms.SettlementForm)
def _settlement(request, project, d):
    s = services.settlement_start(project=project, actor=request.user, amount=d["amount"], audited_amount=d["audited_amount"],
                                  retention=d["retention"], defects_until=d["defects_until"], auditor=d["auditor"])
    return (_("Settlement review form %(case)s started; attach the settlement book and the audit report and submit.")
            % {"case": s.case.number}, ("approvals:detail", s.case_id))


@action("final", forms.FinalForm)
def _final(request, project, d):
    services.final_accounts_approve(project=project, actor=request.user, total_cost=d["total_cost"], approved_on=d["on"])
    return _("Final accounts recorded; the asset cards carry their final values."), None


@action("handover", forms.HandoverForm)
def _handover(request, project, d):
    form = forms.HandoverForm(request.POST)
    form.is_valid()
    services.project_handover(project=project, actor=request.user, handed_over_on=d["on"],
                              receiving_unit=d["receiving_unit"], items=form.items())
    return _("Handed over; the asset cards are created."), None


@require_POST
def act(request, pk: int, action: str):
    project = permissions.project_for(request.user, pk)
    if action not in ACTIONS:
        raise Http404
    permissions.require_change(request.user, project)
    form_class, fn = ACTIONS[action]
    d = {}
    if form_class is not None:
        form = form_class(request.POST, request.FILES)
        if not form.is_valid():
            return _fail(request, project, _form_errors(form))
        d = form.cleaned_data
    try:
        text, target = fn(request, project, d)
    except ApprovalError as exc:
        return _fail(request, project, exc.message)
    messages.success(request, text)
    if target:
        return redirect(target[0], pk=target[1])
    return redirect("construction:detail", pk=project.pk)
