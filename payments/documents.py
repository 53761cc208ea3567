"""Who may read, add and remove the invoice scans of a payment (documents owned by a
``payments.Payment``): the cashier attaches the scan of the invoice paid at the desk."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.permissions import can_view_case
from documents.registry import Owner

from . import permissions
from .models import Payment

INVOICE = "invoice"
# the case material a clerk attaches as the invoice (the matters' required attachment 发票)
CASE_INVOICE_KINDS = ("发票",)


def can_read(user, payment: Payment) -> bool:
    return permissions.may_view_desk(user) or can_view_case(user, payment.case)


def can_add(user, payment: Payment, kind: str) -> str:
    refusal = permissions.pay_refusal(user, payment.case)
    if refusal:
        return refusal
    if payment.status != Payment.Status.PAID or payment.is_refund:
        return _("An invoice scan is attached to a payment in force.")
    return ""


def can_delete(user, document) -> str:
    if document.uploaded_by_id == user.pk and permissions.may_pay_at_all(user):
        return ""
    return _("Only the cashier who attached the invoice scan may remove it.")


OWNER = Owner(model=Payment, key="disbursement", kinds={INVOICE: gettext_lazy("Invoice scan")}, can_read=can_read,
              can_add=can_add, can_delete=can_delete)
