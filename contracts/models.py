"""Contracts, their payment terms (milestones), supplementary agreements, acceptance and
payments. Every money rule is checked in ``services`` under a row lock on the contract."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.transitions import StatusTransitions

from .exceptions import InvalidContractStatus

MONEY = {"max_digits": 14, "decimal_places": 2}


class ContractCategory(models.TextChoices):
    GOODS = "goods", _("Goods")
    SERVICES = "services", _("Services")
    WORKS = "works", _("Works")
    LEASE = "lease", _("Lease")
    OTHER = "other", _("Other")


class Contract(StatusTransitions, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Being drafted")
        IN_APPROVAL = "in_approval", _("In approval (countersign)")
        ACTIVE = "active", _("In force")
        COMPLETED = "completed", _("Completed (fully paid)")
        CANCELLED = "cancelled", _("Cancelled")

    # status -> the statuses it may move to (``transition``, core.transitions): submitted for the
    # countersign; in force, or returned (re-opened) or ended; completed once fully paid, back in
    # force when a payment is voided at the desk
    TRANSITIONS = {
        Status.DRAFT: {Status.IN_APPROVAL, Status.CANCELLED},
        Status.IN_APPROVAL: {Status.ACTIVE, Status.DRAFT, Status.CANCELLED},
        Status.ACTIVE: {Status.COMPLETED},
        Status.COMPLETED: {Status.ACTIVE},
        Status.CANCELLED: set(),
    }
    transition_error = InvalidContractStatus

    number = models.CharField(_("contract number"), max_length=32, unique=True)
    case = models.OneToOneField("approvals.Case", on_delete=models.PROTECT, related_name="contract", verbose_name=_("case"))
    purchase = models.ForeignKey(
        "procurement.Purchase", null=True, blank=True, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("purchase")
    )
    award = models.OneToOneField(
        "procurement.Award", null=True, blank=True, on_delete=models.PROTECT, related_name="contract", verbose_name=_("award")
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="contracts", verbose_name=_("unit"))
    supplier = models.ForeignKey("procurement.Supplier", on_delete=models.PROTECT, related_name="contracts", verbose_name=_("supplier"))
    budget_line = models.ForeignKey(
        "budget.BudgetLine", null=True, blank=True, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("budget line")
    )
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=10, choices=ContractCategory.choices)
    amount = models.DecimalField(
        _("contract amount (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Including approved supplementary agreements."),
    )
    original_amount = models.DecimalField(_("original amount (yuan)"), **MONEY)
    signed_on = models.DateField(_("signing date"))
    start_date = models.DateField(_("term from"))
    end_date = models.DateField(_("term until"))
    summary = models.TextField(_("main terms"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    activated_at = models.DateTimeField(_("in force since"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="contract_amount_positive"),
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="contract_term_ordered"),
        ]
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["supplier", "status"]),
            models.Index(fields=["status", "end_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class PaymentTerm(models.Model):
    """A payment milestone (付款节点). Reached when the contract comes into force (signing
    trigger), when an approved acceptance unlocks it, or on its date (date trigger, e.g.
    the release of retention money)."""

    class Kind(models.TextChoices):
        ADVANCE = "advance", _("Advance payment")
        PROGRESS = "progress", _("Progress payment")
        ACCEPTANCE = "acceptance", _("Payment on acceptance")
        SETTLEMENT = "settlement", _("Settlement payment")
        RETENTION = "retention", _("Retention release")

    class Trigger(models.TextChoices):
        SIGNING = "signing", _("On signing (contract in force)")
        ACCEPTANCE = "acceptance", _("On acceptance")
        DATE = "date", _("On the due date")

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="terms", verbose_name=_("contract"))
    seq = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("milestone"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("description"), max_length=100, blank=True)
    percent = models.DecimalField(
        _("percent"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    trigger = models.CharField(_("trigger"), max_length=12, choices=Trigger.choices)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    reached_on = models.DateField(_("reached on"), null=True, blank=True)
    acceptance = models.ForeignKey(
        "Acceptance", null=True, blank=True, on_delete=models.SET_NULL, related_name="unlocked_terms", verbose_name=_("unlocked by")
    )
    is_active = models.BooleanField(_("current"), default=True, help_text=_("False once replaced by a supplementary agreement."))
    supplement = models.ForeignKey(
        "Supplement", null=True, blank=True, on_delete=models.PROTECT, related_name="new_terms", verbose_name=_("set by supplement")
    )
    replaced_by = models.ForeignKey(
        "Supplement", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_terms", verbose_name=_("replaced by")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment term")
        verbose_name_plural = _("payment terms")
        ordering = ["contract", "-is_active", "seq", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_term_amount_positive"),
            models.CheckConstraint(
                condition=~Q(trigger="date") | Q(due_date__isnull=False), name="payment_term_date_trigger_has_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"

    @property
    def label(self) -> str:
        return self.name or str(self.get_kind_display())

    def is_reached(self, today) -> bool:
        if self.reached_on is not None:
            return True
        return self.trigger == self.Trigger.DATE and self.due_date is not None and self.due_date <= today


class Supplement(StatusTransitions, models.Model):
    """补充协议: changes the amount, the end date or the unreached payment terms of a contract
    once approved."""

    class Direction(models.TextChoices):
        INCREASE = "increase", _("Increase the amount")
        DECREASE = "decrease", _("Decrease the amount")
        TERMS = "terms", _("Terms only (amount unchanged)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being filled")
        IN_APPROVAL = "in_approval", _("In approval")
        APPLIED = "applied", _("In force")
        CANCELLED = "cancelled", _("Cancelled")

    # status -> the statuses it may move to (``transition``): submitted; applied to the contract,
    # or returned (re-opened) or ended
    TRANSITIONS = {
        Status.DRAFT: {Status.IN_APPROVAL, Status.CANCELLED},
        Status.IN_APPROVAL: {Status.APPLIED, Status.DRAFT, Status.CANCELLED},
        Status.APPLIED: set(),
        Status.CANCELLED: set(),
    }
    transition_error = InvalidContractStatus

    case = models.OneToOneField("approvals.Case", on_delete=models.PROTECT, related_name="supplement", verbose_name=_("case"))
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="supplements", verbose_name=_("contract"))
    seq = models.PositiveSmallIntegerField(_("number"), default=0)
    direction = models.CharField(_("change"), max_length=10, choices=Direction.choices)
    old_amount = models.DecimalField(_("amount before (yuan)"), **MONEY)
    new_amount = models.DecimalField(_("amount after (yuan)"), **MONEY)
    old_end_date = models.DateField(_("end before"), null=True, blank=True)
    new_end_date = models.DateField(_("end after"), null=True, blank=True)
    content = models.TextField(_("content of the change"))
    proposed_terms = models.JSONField(_("new payment terms"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    applied_at = models.DateTimeField(_("in force since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("supplementary agreement")
        verbose_name_plural = _("supplementary agreements")
        ordering = ["contract", "seq", "id"]
        constraints = [models.CheckConstraint(condition=Q(new_amount__gt=0), name="supplement_new_amount_positive")]

    def __str__(self) -> str:
        return f"{self.contract.number} 补{self.seq}"

    @property
    def change(self) -> Decimal:
        return self.new_amount - self.old_amount


class Acceptance(StatusTransitions, models.Model):
    """验收: by at least two people, one from outside the requesting unit; once approved
    it unlocks the milestones it names."""

    class Result(models.TextChoices):
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being filled")
        IN_APPROVAL = "in_approval", _("In approval")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    # status -> the statuses it may move to (``transition``): submitted; confirmed, or returned
    # (re-opened) or ended
    TRANSITIONS = {
        Status.DRAFT: {Status.IN_APPROVAL, Status.CANCELLED},
        Status.IN_APPROVAL: {Status.CONFIRMED, Status.DRAFT, Status.CANCELLED},
        Status.CONFIRMED: set(),
        Status.CANCELLED: set(),
    }
    transition_error = InvalidContractStatus

    case = models.OneToOneField("approvals.Case", on_delete=models.PROTECT, related_name="acceptance", verbose_name=_("case"))
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="acceptances", verbose_name=_("contract"))
    accepted_on = models.DateField(_("acceptance date"))
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, default=Result.PASSED)
    opinion = models.TextField(_("opinion"), blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="acceptances", verbose_name=_("acceptance team"))
    terms = models.ManyToManyField(PaymentTerm, blank=True, related_name="+", verbose_name=_("milestones it unlocks"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")
        ordering = ["contract", "-accepted_on", "-id"]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.accepted_on}"


class Payment(StatusTransitions, models.Model):
    """支付申请: one payment of a contract, against one reached milestone and one invoice."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being filled")
        SUBMITTED = "submitted", _("In approval")
        APPROVED = "approved", _("Approved, awaiting the cashier")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    # Payments that hold their amount and invoice: the cap and the invoice rule count them.
    HOLDING = (Status.SUBMITTED, Status.APPROVED, Status.PAID)

    # status -> the statuses it may move to (``transition``): submitted; a returned payment keeps
    # holding (no return hook) until it is saved again (re-opened) or resubmitted as it is;
    # approved; paid at the desk, back to approved when that payment is voided; a rejected or
    # withdrawn case cancels it
    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED, Status.CANCELLED},
        Status.SUBMITTED: {Status.SUBMITTED, Status.APPROVED, Status.DRAFT, Status.CANCELLED},
        Status.APPROVED: {Status.PAID, Status.CANCELLED},
        Status.PAID: {Status.APPROVED},
        Status.CANCELLED: set(),
    }
    transition_error = InvalidContractStatus

    case = models.OneToOneField("approvals.Case", on_delete=models.PROTECT, related_name="payment", verbose_name=_("case"))
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="payments", verbose_name=_("contract"))
    term = models.ForeignKey(PaymentTerm, on_delete=models.PROTECT, related_name="payments", verbose_name=_("milestone"))
    supplier = models.ForeignKey("procurement.Supplier", on_delete=models.PROTECT, related_name="payments", verbose_name=_("payee"))
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="contract_payments", verbose_name=_("unit"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY, null=True, blank=True)
    invoice_number = models.CharField(_("invoice number"), max_length=30, blank=True)
    invoice_date = models.DateField(_("invoice date"), null=True, blank=True)
    invoice_amount = models.DecimalField(_("invoice amount (yuan)"), **MONEY, null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("paid by")
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "invoice_number"],
                condition=Q(status__in=["submitted", "approved", "paid"]),
                name="payment_invoice_once_per_supplier",
                violation_error_message=_("This invoice of the supplier has already been paid or is being paid."),
            ),
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status__in=["submitted", "approved", "paid"])
                | (Q(amount__isnull=False) & ~Q(invoice_number="") & Q(invoice_date__isnull=False) & Q(invoice_amount__isnull=False)),
                name="payment_holding_has_invoice",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | (Q(paid_by__isnull=False) & Q(paid_on__isnull=False)), name="payment_paid_has_cashier",
            ),
        ]
        indexes = [models.Index(fields=["contract", "status"]), models.Index(fields=["supplier", "status", "paid_on"])]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.amount}"


class Reminder(models.Model):
    """A reminder sent for a contract ending or a milestone falling due; the unique key makes
    the daily scan idempotent (each reminder is sent once)."""

    class Kind(models.TextChoices):
        CONTRACT_ENDING = "ending", _("Contract ending")
        MILESTONE_DUE = "milestone", _("Milestone falling due")

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="reminders")
    term = models.ForeignKey(PaymentTerm, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    due_date = models.DateField()
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "term", "kind", "due_date"], name="reminder_once", nulls_distinct=False
            )
        ]


class DocKind(models.TextChoices):
    """Kinds of the files contract records own (documents.Document.kind)."""

    CONTRACT_TEXT = "contract_text", _("Contract text")
    CONTRACT_SCAN = "contract_scan", _("Signed and sealed contract scan")
    SUPPLEMENT_TEXT = "supplement_text", _("Supplementary agreement text")
    ACCEPTANCE_REPORT = "acceptance_report", _("Acceptance report")
    INVOICE = "invoice", _("Invoice")
    OTHER = "other", _("Other")
