"""The payment desk (出纳付款台): thin views; who may see and act is decided in
``permissions``, the rules in ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from approvals.exceptions import ApprovalError
from approvals.money import format_yuan

from . import permissions, registry, selectors, services
from .documents import INVOICE
from .forms import PayForm, RefundForm, VoidForm

PAGE_SIZE = 50


def _form_errors(form) -> str:
    return " ".join(str(e) for errs in form.errors.values() for e in errs)


@require_GET
def desk(request):
    """The cases waiting for the cashier: approved, with something left to pay."""
    permissions.require_desk(request.user)
    q = (request.GET.get("q") or "").strip()
    sort = request.GET.get("sort") or ""
    sort = sort if sort in selectors.SORTS else ""
    rows = selectors.desk_rows(q=q, sort=sort)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "payments/desk.html", {
        "active_nav": "payments", "page_obj": page, "rows": page.object_list, "q": q, "tab": "desk", "sort": sort,
        "query": urlencode({k: v for k, v in (("q", q), ("sort", sort)) if v}),
        "can_pay": permissions.may_pay_at_all(request.user),
    })


@require_http_methods(["GET", "POST"])
def case_pay(request, pk: int):
    """One case at the desk: what it may be paid, to whom, what was paid, and the pay form."""
    permissions.require_desk(request.user)
    case = selectors.case_for_desk(pk)
    source = registry.source_for(case) if case.status == case.Status.APPROVED else None
    payees = source.payees(case) if source else []
    paid = services.paid_total(case)
    cap = source.cap(case) if source else None
    left = max(services.ZERO, cap - paid) if cap is not None else None
    refusal = permissions.pay_refusal(request.user, case) if source else _("Nothing of this case is paid at the desk.")
    form = None
    if source and not refusal:
        form = PayForm(request.POST or None, payees=payees, other_payees=source.other_payees, left=left)
    if request.method == "POST":
        if form is None:
            messages.error(request, refusal)
            return redirect("payments:case", pk=pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                payment = services.pay(
                    case=case, actor=request.user, amount=data["amount"], **form.payee_args(),
                    bank_name=data.get("bank_name") or "", bank_account=data.get("bank_account") or "",
                    invoice_code=data.get("invoice_code") or "", invoice_number=data.get("invoice_number") or "",
                    bank_reference=data.get("bank_reference") or "", paid_on=data["paid_on"],
                )
            except ApprovalError as exc:  # the service's refusals and a source's own rules
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Paid: %(amount)s to %(payee)s.")
                                 % {"amount": format_yuan(payment.amount), "payee": payment.payee_name})
                return redirect("payments:case", pk=pk)
        else:
            messages.error(request, _form_errors(form))
    due = selectors.due_of(case) if source else None
    days_left = due.days_left(timezone.localdate()) if due else None
    payments = selectors.payments_of(case)
    return render(request, "payments/case.html", {
        "active_nav": "payments", "case": case, "source": source, "describe": source.describe(case) if source else "",
        "payees": payees, "cap": cap, "paid": paid, "left": left, "refusal": refusal, "form": form,
        "payments": payments, "refund_form": RefundForm(), "void_form": VoidForm(),
        "may_act": form is not None, "due": due, "days_left": days_left,
        "overdue_days": -days_left if days_left is not None and days_left < 0 else 0,
        "invoice": source.invoice_on_file(case) if source else None,
        "case_invoices": selectors.case_invoice_documents(case), "scan_kind": INVOICE,
    }, status=200)


@require_GET
def history(request):
    permissions.require_desk(request.user)
    q = (request.GET.get("q") or "").strip()
    page = Paginator(selectors.history(q=q), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "payments/history.html", {
        "active_nav": "payments", "page_obj": page, "payments": page.object_list, "q": q, "tab": "history",
    })


@require_POST
def payment_refund(request, pk: int):
    permissions.require_desk(request.user)
    payment = selectors.payment_for_desk(pk)
    form = RefundForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("payments:case", pk=payment.case_id)
    try:
        back = services.refund(payment=payment, actor=request.user, amount=form.cleaned_data["amount"],
                               paid_on=form.cleaned_data["paid_on"],
                               bank_reference=form.cleaned_data.get("bank_reference") or "")
    except ApprovalError as exc:  # the service's refusals and a source's own rules
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Refund of %(amount)s recorded.") % {"amount": format_yuan(-back.amount)})
    return redirect("payments:case", pk=payment.case_id)


@require_POST
def payment_void(request, pk: int):
    permissions.require_desk(request.user)
    payment = selectors.payment_for_desk(pk)
    form = VoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("payments:case", pk=payment.case_id)
    try:
        services.payment_void(payment=payment, actor=request.user, reason=form.cleaned_data["reason"])
    except ApprovalError as exc:  # the service's refusals and a source's own rules
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The payment was voided."))
    return redirect("payments:case", pk=payment.case_id)
