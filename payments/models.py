"""The one payment record of the system (出纳付款): every payment the cashier makes, for any
approved money case — a reimbursement to a staff member, a payment to a supplier against an
invoice, a contract milestone. What a case may be paid (its cap) comes from the payable
source that registered it (``payments.registry``); the rules are in ``payments.services``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.transitions import StatusTransitions

from .exceptions import InvalidPaymentStatus

MONEY = {"max_digits": 14, "decimal_places": 2}


class PayeeKind(models.TextChoices):
    PERSON = "person", _("Person (staff member)")
    SUPPLIER = "supplier", _("Supplier")
    ORGANISATION = "organisation", _("Other organisation")


def normalise_invoice(value: str) -> str:
    """Invoice codes and numbers are compared without spaces, in upper case."""
    return "".join((value or "").split()).upper()


class Payment(StatusTransitions, models.Model):
    """One payment (positive) or refund (negative, ``refund_of`` the payment it gives back)."""

    class Status(models.TextChoices):
        PAID = "paid", _("Paid")
        VOIDED = "voided", _("Voided")

    # from -> the states it may go to (one checked method: ``transition``, core.transitions)
    TRANSITIONS = {Status.PAID: {Status.VOIDED}, Status.VOIDED: set()}
    transition_error = InvalidPaymentStatus

    case = models.ForeignKey(
        "approvals.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="disbursements"
    )
    source_key = models.CharField(_("payable source"), max_length=30)
    source_id = models.PositiveBigIntegerField(_("source record"), null=True, blank=True)
    payee_kind = models.CharField(_("payee kind"), max_length=12, choices=PayeeKind.choices)
    payee_name = models.CharField(_("payee"), max_length=200)
    # the person (user id) or supplier (supplier id) paid, when the payee is one of ours
    payee_ref = models.PositiveBigIntegerField(_("payee record"), null=True, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    refund_of = models.ForeignKey(
        "self", verbose_name=_("refund of"), null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    invoice_code = models.CharField(_("invoice code"), max_length=20, blank=True)
    invoice_number = models.CharField(_("invoice number"), max_length=30, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PAID)
    paid_on = models.DateField(_("paid on"), default=timezone.localdate)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("paid by"), on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(_("paid at"), default=timezone.now)
    bank_reference = models.CharField(_("bank reference"), max_length=60, blank=True)
    voided_reason = models.CharField(_("reason for voiding"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_at", "-id"]
        indexes = [
            models.Index(fields=["case", "status"]),
            models.Index(fields=["source_key", "source_id"]),
            models.Index(fields=["paid_on"]),
        ]
        constraints = [
            # one invoice is paid once: per invoice code + number, among payments in force
            models.UniqueConstraint(
                fields=["invoice_code", "invoice_number"],
                condition=Q(status="paid", amount__gt=0) & ~Q(invoice_number=""),
                name="payments_invoice_paid_once",
                violation_error_message=_("This invoice has already been paid."),
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="payments_amount_not_zero"),
            models.CheckConstraint(
                condition=Q(amount__gt=0, refund_of__isnull=True) | Q(amount__lt=0, refund_of__isnull=False),
                name="payments_refund_is_negative_and_names_its_payment",
            ),
            models.CheckConstraint(
                condition=~Q(invoice_number__contains=" ") & ~Q(invoice_code__contains=" "),
                name="payments_invoice_has_no_spaces",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.payee_name} {self.amount}"

    @property
    def is_refund(self) -> bool:
        return self.amount < 0


class PaymentDeadline(models.Model):
    """How long the office may take to pay a small or medium enterprise (付款期限), effective-dated
    and citing its regulation, edited by the administrator like the procurement thresholds.

    The default rows are 《保障中小企业款项支付条例》: 第九条第一款 (2025年修订，国务院令第802号，
    2025年6月1日起施行) "机关、事业单位从中小企业采购货物、工程、服务，应当自货物、工程、服务交付之日起
    30日内支付款项；合同另有约定的，从其约定，但付款期限最长不得超过60日", with 第十条 "约定以……检验或者
    验收合格作为支付中小企业款项条件的，付款期限应当自检验或者验收合格之日起算"; before it, 第八条 of
    the 2020 text (国务院令第728号). The regulation counts 日, calendar days: ``day_kind`` is
    working days only where a rule names 工作日 (then ``core.workcalendar`` counts them)."""

    class DayKind(models.TextChoices):
        CALENDAR = "calendar", _("Calendar days")
        WORKING = "working", _("Working days")

    days = models.PositiveSmallIntegerField(_("days to pay"), help_text=_("From delivery, or from acceptance where the contract makes acceptance the condition."))
    max_agreed_days = models.PositiveSmallIntegerField(
        _("longest agreed term (days)"), help_text=_("A contract may agree a longer term, but never longer than this."),
    )
    day_kind = models.CharField(_("days counted as"), max_length=10, choices=DayKind.choices, default=DayKind.CALENDAR)
    regulation = models.CharField(_("regulation"), max_length=200)
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(_("in force until"), null=True, blank=True, help_text=_("Empty: until further notice."))
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment deadline")
        verbose_name_plural = _("payment deadlines")
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="payment_deadline_dates_ordered",
            ),
            models.CheckConstraint(condition=Q(days__gt=0) & Q(max_agreed_days__gte=models.F("days")),
                                   name="payment_deadline_days_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.days}/{self.max_agreed_days} · {self.effective_from}"

    def in_force(self, day) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)
