"""Construction projects (基建): initiation with the 投资估算, the approved 概算, funding from
budget lines, the contracts of the project, change orders and site visas, progress reports,
progress payments, settlement review, final accounts and the handover to asset cards.

Every money rule is checked in ``services`` under row locks (order documented there); the
limits they use are effective-dated rows of ``Limit`` citing their regulation, and the money
thresholds (supervision, tendering) are procurement's thresholds table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.transitions import StatusTransitions

from .exceptions import InvalidConstructionStatus

MONEY = {"max_digits": 14, "decimal_places": 2}


class Limit(models.Model):
    """A share or a period the construction rules use, effective-dated, with its regulation.
    Lookups take the row in force on the day (``selectors.limit``)."""

    class Kind(models.TextChoices):
        ESTIMATE_OVER = "estimate_over", _("概算 above the 投资估算 needing re-approval (%)")
        CHANGE_SHARE = "change_share", _("Change orders as a share of the construction contract (%)")
        PROGRESS_SHARE = "progress_share", _("Progress payments as a share of the work done (%)")
        RETENTION_SHARE = "retention_share", _("Retention money as a share of the settlement (%)")
        FINAL_ACCOUNTS_MONTHS = "final_accounts_months", _("Final accounts due after completion (months)")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    value = models.DecimalField(_("value"), max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    regulation = models.CharField(_("regulation"), max_length=200)
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(_("in force until"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("construction limit")
        verbose_name_plural = _("construction limits")
        ordering = ["kind", "-effective_from"]
        constraints = [
            models.CheckConstraint(condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                                   name="construction_limit_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


class ProjectKind(models.TextChoices):
    NEW_BUILD = "new", _("New build")
    RENOVATION = "renovation", _("Renovation")
    REPAIR = "repair", _("Repair")
    MUNICIPAL = "municipal", _("Municipal works")
    MINSHENG = "minsheng", _("民生微实事 (small livelihood project)")


class Project(StatusTransitions, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Initiation being filled")
        INITIATING = "initiating", _("Initiation in approval")
        INITIATED = "initiated", _("Initiated (立项 approved)")
        ESTIMATING = "estimating", _("概算 in approval")
        ESTIMATED = "estimated", _("概算 approved")
        BUILDING = "building", _("Under construction")
        COMPLETED = "completed", _("Completed (accepted)")
        SETTLED = "settled", _("Settlement audited")
        CLOSED = "closed", _("Final accounts approved")
        CANCELLED = "cancelled", _("Cancelled")

    # status → the statuses it may move to (one checked method, ``transition``, core.transitions)
    TRANSITIONS = {
        Status.DRAFT: {Status.INITIATING, Status.CANCELLED},
        Status.INITIATING: {Status.INITIATED, Status.DRAFT, Status.CANCELLED},
        Status.INITIATED: {Status.ESTIMATING, Status.CANCELLED},
        Status.ESTIMATING: {Status.ESTIMATED, Status.INITIATED, Status.CANCELLED},
        Status.ESTIMATED: {Status.BUILDING, Status.ESTIMATING, Status.CANCELLED},
        Status.BUILDING: {Status.COMPLETED},
        Status.COMPLETED: {Status.SETTLED},
        Status.SETTLED: {Status.CLOSED},
        Status.CLOSED: set(),
        Status.CANCELLED: set(),
    }
    transition_error = InvalidConstructionStatus

    number = models.CharField(_("project number"), max_length=32, unique=True)
    name = models.CharField(_("project name"), max_length=200)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="projects", verbose_name=_("unit"))
    location = models.CharField(_("location"), max_length=200)
    kind = models.CharField(_("type"), max_length=12, choices=ProjectKind.choices)
    necessity = models.TextField(_("necessity"), blank=True)
    scale = models.TextField(_("scale and content"), blank=True)
    estimate = models.DecimalField(_("investment estimate 投资估算 (yuan)"), **MONEY,
                                   validators=[MinValueValidator(Decimal("0.01"))])
    budget_estimate = models.DecimalField(_("proposed 概算 (yuan)"), **MONEY, null=True, blank=True)
    approved_budget = models.DecimalField(_("approved 概算 (yuan)"), **MONEY, null=True, blank=True)
    supervision_required = models.BooleanField(_("supervision required"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    case = models.OneToOneField("approvals.Case", on_delete=models.PROTECT, related_name="project",
                                verbose_name=_("initiation case"))
    initiated_on = models.DateField(_("initiated on"), null=True, blank=True)
    budget_approved_on = models.DateField(_("概算 approved on"), null=True, blank=True)
    started_on = models.DateField(_("construction started on"), null=True, blank=True)
    completed_on = models.DateField(_("completion accepted on"), null=True, blank=True)
    handed_over_on = models.DateField(_("handed over on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("construction project")
        verbose_name_plural = _("construction projects")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["status", "completed_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(estimate__gt=0), name="project_estimate_positive"),
            models.CheckConstraint(condition=Q(approved_budget__isnull=True) | Q(approved_budget__gt=0),
                                   name="project_budget_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def cap(self) -> Decimal | None:
        """What the project's contracts, changes and payments may reach: the approved 概算."""
        return self.approved_budget


class ProjectFunding(models.Model):
    """A budget line the project draws on, with the amount it draws (several allowed)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="funding", verbose_name=_("project"))
    budget_line = models.ForeignKey("budget.BudgetLine", on_delete=models.PROTECT, related_name="project_funding",
                                    verbose_name=_("budget line"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("project funding")
        verbose_name_plural = _("project funding")
        ordering = ["project", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "budget_line"], name="project_funding_line_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="project_funding_positive"),
        ]


class ContractRole(models.TextChoices):
    CONSTRUCTION = "construction", _("Construction")
    SUPERVISION = "supervision", _("Supervision")
    DESIGN = "design", _("Design")
    SURVEY = "survey", _("Survey")
    COST = "cost", _("Cost consulting and audit")


class ProjectContract(models.Model):
    """A contract of the project (signed through the contracts module) and its role."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("project"))
    contract = models.OneToOneField("contracts.Contract", on_delete=models.PROTECT, related_name="project_link",
                                    verbose_name=_("contract"))
    role = models.CharField(_("role"), max_length=15, choices=ContractRole.choices)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("project contract")
        verbose_name_plural = _("project contracts")
        ordering = ["project", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project"], condition=Q(role="construction"),
                                    name="project_one_construction_contract"),
        ]


class ChangeOrder(StatusTransitions, models.Model):
    """设计变更 / 现场签证 through approvals; ``share`` is the cumulative change (with this one) as
    a percent of the construction contract, recorded when submitted."""

    class Kind(models.TextChoices):
        DESIGN = "design", _("Design change (设计变更)")
        SITE_VISA = "visa", _("Site visa (现场签证)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being filled")
        IN_APPROVAL = "in_approval", _("In approval")
        APPROVED = "approved", _("Approved")
        CANCELLED = "cancelled", _("Cancelled")

    HOLDING = (Status.IN_APPROVAL, Status.APPROVED)

    # status -> the statuses it may move to (``transition``): submitted; approved, or returned
    # (re-opened) or ended
    TRANSITIONS = {
        Status.DRAFT: {Status.IN_APPROVAL, Status.CANCELLED},
        Status.IN_APPROVAL: {Status.APPROVED, Status.DRAFT, Status.CANCELLED},
        Status.APPROVED: set(),
        Status.CANCELLED: set(),
    }
    transition_error = InvalidConstructionStatus

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="changes", verbose_name=_("project"))
    case = models.OneToOneField("approvals.Case", on_delete=models.PROTECT, related_name="change_order",
                                verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    reason = models.TextField(_("reason"))
    cumulative = models.DecimalField(_("cumulative changes with this one (yuan)"), **MONEY, default=Decimal("0"))
    share = models.DecimalField(_("share of the construction contract (%)"), max_digits=7, decimal_places=2,
                                default=Decimal("0"))
    major = models.BooleanField(_("above the share (principal leader and collective decision)"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("change order")
        verbose_name_plural = _("change orders")
        ordering = ["project", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="change_order_amount_positive")]

    def __str__(self) -> str:
        return f"{self.project.number} {self.get_kind_display()} ¥{self.amount:,.2f}"


class ProgressReport(models.Model):
    """A progress report: the cumulative value of work done by a date, with photos."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="progress", verbose_name=_("project"))
    reported_on = models.DateField(_("date"))
    work_done = models.DecimalField(_("value of work done to date (yuan)"), **MONEY,
                                    validators=[MinValueValidator(Decimal("0.01"))])
    note = models.TextField(_("progress"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["project", "reported_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(work_done__gt=0), name="progress_work_done_positive")]


class ProgressPayment(StatusTransitions, models.Model):
    """A progress payment (工程进度款) of the construction contract, a payable source of the
    payment desk; capped by the contract's progress terms and by the share of work done."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being filled")
        SUBMITTED = "submitted", _("In approval")
        APPROVED = "approved", _("Approved, awaiting the cashier")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    HOLDING = (Status.SUBMITTED, Status.APPROVED, Status.PAID)

    # status -> the statuses it may move to (``transition``): submitted; approved, or returned
    # (re-opened) or ended; paid at the desk, back to approved when that payment is voided
    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED, Status.CANCELLED},
        Status.SUBMITTED: {Status.APPROVED, Status.DRAFT, Status.CANCELLED},
        Status.APPROVED: {Status.PAID},
        Status.PAID: {Status.APPROVED},
        Status.CANCELLED: set(),
    }
    transition_error = InvalidConstructionStatus

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="payments", verbose_name=_("project"))
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="progress_payments",
                                 verbose_name=_("contract"))
    case = models.OneToOneField("approvals.Case", on_delete=models.PROTECT, related_name="progress_payment",
                                verbose_name=_("case"))
    report = models.ForeignKey(ProgressReport, on_delete=models.PROTECT, related_name="payments",
                               verbose_name=_("progress report"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    invoice_number = models.CharField(_("invoice number"), max_length=30)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress payment")
        verbose_name_plural = _("progress payments")
        ordering = ["project", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="progress_payment_positive")]


class Settlement(StatusTransitions, models.Model):
    """结算审核: the settlement submitted by the contractor, the audited amount and retention."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being filled")
        IN_APPROVAL = "in_approval", _("In approval")
        APPROVED = "approved", _("Approved")
        CANCELLED = "cancelled", _("Cancelled")

    # status -> the statuses it may move to (``transition``): submitted; approved, or returned
    # (re-opened) or ended
    TRANSITIONS = {
        Status.DRAFT: {Status.IN_APPROVAL, Status.CANCELLED},
        Status.IN_APPROVAL: {Status.APPROVED, Status.DRAFT, Status.CANCELLED},
        Status.APPROVED: set(),
        Status.CANCELLED: set(),
    }
    transition_error = InvalidConstructionStatus

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="settlement", verbose_name=_("project"))
    case = models.OneToOneField("approvals.Case", on_delete=models.PROTECT, related_name="settlement",
                                verbose_name=_("case"))
    amount = models.DecimalField(_("settlement submitted (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    audited_amount = models.DecimalField(_("audited amount (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    retention = models.DecimalField(_("retention money (yuan)"), **MONEY, default=Decimal("0"))
    defects_until = models.DateField(_("defect-liability period until"))
    auditor = models.CharField(_("audit firm"), max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        constraints = [
            models.CheckConstraint(condition=Q(audited_amount__lte=models.F("amount")), name="settlement_audited_le_amount"),
        ]

    @property
    def reduction(self) -> Decimal:
        return self.amount - self.audited_amount

    def __str__(self) -> str:
        return _("Settlement of %(project)s") % {"project": self.project.number}


class FinalAccounts(models.Model):
    """竣工财务决算: due within 3 months of completion (财建〔2016〕503号)."""

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="final_accounts",
                                   verbose_name=_("project"))
    due_on = models.DateField(_("due on"))
    total_cost = models.DecimalField(_("total cost in the final accounts (yuan)"), **MONEY, null=True, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    reminded_on = models.DateField(_("reminded on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("final accounts")
        verbose_name_plural = _("final accounts")


class Handover(models.Model):
    """交付使用: the project handed over to its user unit; its asset cards are in ``assets``."""

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="handover", verbose_name=_("project"))
    handed_over_on = models.DateField(_("handed over on"))
    receiving_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("receiving unit"))
    before_final_accounts = models.BooleanField(_("before the final accounts (carded at an estimate)"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")


class DocKind(models.TextChoices):
    """Kinds of files owned by a project (documents.Document.kind), grouped by stage on its page."""

    FEASIBILITY = "feasibility", _("Feasibility study / project proposal")
    BUDGET_BOOK = "budget_book", _("概算书 (design estimate)")
    DESIGN = "design", _("Design drawings")
    PERMIT = "permit", _("Construction permit / start report")
    PHOTO = "photo", _("Site photo")
    CHANGE = "change", _("Change order or visa documents")
    COMPLETION = "completion", _("Completion acceptance report")
    SETTLEMENT = "settlement", _("Settlement book")
    AUDIT = "audit", _("Settlement audit report")
    FINAL_ACCOUNTS = "final_accounts", _("Final accounts report")
    HANDOVER = "handover", _("Handover record")
    OTHER = "other", _("Other")


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the last day of a shorter month)."""
    import calendar

    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
