"""Contract pages: the execution table, a contract, payments and the cashier's desk. Thin:
access through ``selectors`` (404 for records outside the person's scope), services decide."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from approvals.exceptions import ApprovalError
from documents.selectors import documents_of
from org.models import Role
from payments import permissions as payment_permissions

from . import selectors, services, xlsx
from .forms import ExecutionFilterForm, PayForm
from .models import Contract, DocKind, Payment

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(request, data=None):
    scope = selectors.procurement_scope(request.user)
    form = ExecutionFilterForm(data if data is not None else (request.GET or None), scope=scope,
                               years=selectors.contract_years(request.user))
    return form, form.values()


@require_GET
def index(request):
    """合同执行情况表: per contract the amount with supplements, paid, unpaid, percent paid, the
    next milestone, acceptance and retention; filters, drill-down and export."""
    form, f = _filters(request)
    today = timezone.localdate()
    qs = selectors.execution_queryset(user=request.user, today=today, **f)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [selectors.exec_row(c, today=today) for c in page.object_list]
    return render(request, "contracts/index.html", {
        "active_nav": "contracts", "form": form, "filters": f, "page_obj": page, "rows": rows,
        "totals": selectors.execution_totals(qs), "today": today, "query": request.GET.urlencode(),
    })


@require_GET
def export(request):
    form, f = _filters(request)
    tmp = tempfile.TemporaryFile()
    xlsx.write_execution(tmp, user=request.user, filters=f)
    tmp.seek(0)
    name = _("contract-execution-%(date)s.xlsx") % {"date": timezone.localdate().strftime("%Y%m%d")}
    return FileResponse(tmp, as_attachment=True, filename=name, content_type=XLSX)


@require_GET
def contract_detail(request, pk: int):
    contract = selectors.contract_for_user(request.user, pk)
    page = selectors.contract_page(contract)
    is_unit_member = request.user.unit_id == contract.unit_id
    return render(request, "contracts/detail.html", {
        "active_nav": "contracts", "contract": contract, **page,
        "can_request": is_unit_member and contract.status == Contract.Status.ACTIVE,
        "can_upload_scan": not services.may_attach(contract, request.user, DocKind.CONTRACT_SCAN),
    })


@require_POST
def payment_request(request, pk: int):
    """申请付款: start a payment form pre-filled from the next due milestone."""
    contract = selectors.contract_for_user(request.user, pk)
    try:
        case = services.payment_request_start(contract=contract, actor=request.user)
    except ApprovalError as exc:
        messages.error(request, exc.message)
        return redirect("contracts:detail", pk=pk)
    messages.success(request, _("Payment form %(number)s started from the next milestone; check the invoice and submit.")
                     % {"number": case.number})
    return redirect("approvals:edit", pk=case.pk)


@require_POST
def supplement_request(request, pk: int):
    contract = selectors.contract_for_user(request.user, pk)
    try:
        case = services.supplement_start(contract=contract, actor=request.user)
    except ApprovalError as exc:
        messages.error(request, exc.message)
        return redirect("contracts:detail", pk=pk)
    messages.success(request, _("Supplementary agreement %(number)s started.") % {"number": case.number})
    return redirect("approvals:edit", pk=case.pk)


@require_GET
def payment_list(request):
    """Payments: the cashier's queue (approved, waiting to be paid) and every payment."""
    qs = selectors.payments_for(request.user)
    tab = request.GET.get("tab") or ("queue" if request.user.has_role(Role.CASHIER) else "all")
    if tab == "queue":
        qs = qs.filter(status=Payment.Status.APPROVED).order_by("created_at", "id")
    else:
        qs = qs.order_by("-created_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "contracts/payment_list.html", {
        "active_nav": "contracts", "page_obj": page, "payments": page.object_list, "tab": tab,
    })


@require_GET
def payment_detail(request, pk: int):
    payment = selectors.payment_for_user(request.user, pk)
    can_pay = payment.status == Payment.Status.APPROVED and payment_permissions.pay_refusal(request.user, payment.case) is None
    return render(request, "contracts/payment_detail.html", {
        "active_nav": "contracts", "payment": payment,
        "figures": services.contract_figures(payment.contract, exclude_payment_id=payment.pk),
        "documents": list(documents_of(payment)),
        "can_pay": can_pay, "pay_form": PayForm() if can_pay else None,
        "history": payment.history.select_related("history_user").order_by("-history_date")[:20],
    })


@require_POST
def payment_pay(request, pk: int):
    payment = selectors.payment_for_user(request.user, pk)
    form = PayForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("contracts:payment_detail", pk=pk)
    try:
        services.payment_pay(payment=payment, actor=request.user, paid_on=form.cleaned_data["paid_on"],
                             bank_reference=form.cleaned_data.get("bank_reference") or "")
    except ApprovalError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Paid: %(amount)s to %(supplier)s.") % {
            "amount": f"¥{payment.amount:,.2f}", "supplier": payment.contract.supplier.name})
    return redirect("contracts:payment_detail", pk=pk)
