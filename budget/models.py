"""Budget lines (预算指标) and the append-only ledger of their movements.

A line's figures are never stored as counters: every reservation, release, commitment,
payment and adjustment is a row of ``BudgetMovement`` and the figures are sums of those
rows (see ``budget.selectors``). A database trigger refuses UPDATE and DELETE on the ledger.

Reservation rows (reserve / release) carry a ``stage``: *pending* while the case is in
approval (预占), *arranged* once it is approved (已安排). Approval moves a case's
reservation from pending to arranged with a release/reserve pair, so every figure of the
execution table is a filtered sum over this one table.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.triggers import AppendOnly, NoTruncate

MONEY = {"max_digits": 14, "decimal_places": 2}

functional_code_validator = RegexValidator(
    r"^\d{7}$", _("A functional classification code has 7 digits (class, section, item), e.g. 2010301.")
)
economic_code_validator = RegexValidator(
    r"^\d{5}$", _("An economic classification code has 5 digits (class, section), e.g. 30201.")
)


class FundSource(models.TextChoices):
    FISCAL = "fiscal", _("Fiscal appropriation")
    OTHER = "other", _("Other funds")


class ControlMode(models.TextChoices):
    HARD = "hard", _("Hard stop")
    WARN = "warn", _("Warn")
    NONE = "none", _("No control")


class BudgetLine(models.Model):
    """One budget line of a year: unit × project × functional × economic class × fund source."""

    year = models.PositiveSmallIntegerField(_("year"))
    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="budget_lines")
    project = models.CharField(_("project"), max_length=100)
    functional_code = models.CharField(
        _("functional classification code"), max_length=7, validators=[functional_code_validator]
    )
    functional_name = models.CharField(_("functional classification"), max_length=60)
    economic_code = models.CharField(_("economic classification code"), max_length=5, validators=[economic_code_validator])
    economic_name = models.CharField(_("economic classification"), max_length=60)
    fund_source = models.CharField(_("fund source"), max_length=10, choices=FundSource.choices, default=FundSource.FISCAL)
    amount = models.DecimalField(
        _("annual budget (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0"))],
        help_text=_("The budget as approved for the year; changes go through adjustment matters."),
    )
    control_mode = models.CharField(_("control"), max_length=10, choices=ControlMode.choices, default=ControlMode.HARD)
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["year", "unit__sort_order", "unit__code", "project", "economic_code", "functional_code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "unit", "project", "functional_code", "economic_code", "fund_source"],
                name="budget_line_unique_key",
                violation_error_message=_("This unit already has a line for this project, classification and fund source in that year."),
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="budget_line_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["year", "unit"])]

    def __str__(self) -> str:
        return f"{self.unit.name} · {self.project} · {self.economic_code} {self.economic_name}"

    @property
    def label(self) -> str:
        fund = "" if self.fund_source == FundSource.FISCAL else f"（{self.get_fund_source_display()}）"
        return f"{self.year} {self}{fund}"


class BudgetMovement(models.Model):
    """One row of the append-only budget ledger. Amounts are signed:

    * adjust — + increase (追加, 调剂 in), − decrease (调减, 调剂 out)
    * reserve (+) / release (−) — a case's reservation, in stage pending or arranged
    * commit — + a contract commits, − a commitment is used by a payment or released
    * execute — + paid, − refunded
    """

    class Kind(models.TextChoices):
        ADJUST = "adjust", _("Adjustment")
        RESERVE = "reserve", _("Reservation")
        RELEASE = "release", _("Release")
        COMMIT = "commit", _("Commitment")
        EXECUTE = "execute", _("Payment")

    class Stage(models.TextChoices):
        PENDING = "pending", _("In approval")
        ARRANGED = "arranged", _("Arranged")

    line = models.ForeignKey(BudgetLine, verbose_name=_("budget line"), on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    stage = models.CharField(_("reservation stage"), max_length=10, choices=Stage.choices, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    case = models.ForeignKey(
        "approvals.Case", verbose_name=_("case"), null=True, blank=True, on_delete=models.PROTECT, related_name="budget_movements"
    )
    # The contract, payment, ... that caused the row (issue 5), by generic reference.
    source_type = models.ForeignKey(
        ContentType, verbose_name=_("source type"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(_("source id"), null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    batch = models.UUIDField(_("batch"), default=uuid.uuid4, db_index=True, help_text=_("Rows written by one action share it."))
    occurred_on = models.DateField(_("date"), default=timezone.localdate)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    warning = models.CharField(_("warning"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("budget movement")
        verbose_name_plural = _("budget ledger")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["line", "kind"]),
            models.Index(fields=["case", "line"]),
            models.Index(fields=["source_type", "source_id"]),
            models.Index(fields=["kind", "occurred_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="budget_movement_amount_not_zero"),
            models.CheckConstraint(
                condition=models.Q(kind="reserve", amount__gt=0) | ~models.Q(kind="reserve"),
                name="budget_movement_reserve_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="release", amount__lt=0) | ~models.Q(kind="release"),
                name="budget_movement_release_negative",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind__in=["reserve", "release"]) & ~models.Q(stage=""))
                | (~models.Q(kind__in=["reserve", "release"]) & models.Q(stage="")),
                name="budget_movement_stage_only_for_reservations",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["reserve", "release"], case__isnull=False) | ~models.Q(kind__in=["reserve", "release"]),
                name="budget_movement_reservation_has_case",
            ),
        ]
        triggers = [
            AppendOnly(name="budget_movement_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
            NoTruncate(name="budget_movement_no_truncate"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} → {self.line_id}"


class CaseBudget(models.Model):
    """The budget section of a spending case: which line it spends from, and where its
    reservation stands."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Not submitted")
        RESERVED = "reserved", _("Reserved (in approval)")
        ARRANGED = "arranged", _("Arranged (approved)")
        RELEASED = "released", _("Released")

    case = models.OneToOneField(
        "approvals.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="budget_link"
    )
    line = models.ForeignKey(BudgetLine, verbose_name=_("budget line"), on_delete=models.PROTECT, related_name="case_links")
    state = models.CharField(_("budget state"), max_length=10, choices=State.choices, default=State.DRAFT)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("case budget line")
        verbose_name_plural = _("case budget lines")

    def __str__(self) -> str:
        return f"{self.case_id} → {self.line_id}"


class BudgetAdjustment(models.Model):
    """The budget-adjustment section of an adjustment case (追加 / 调减 / 调剂).

    A decrease or transfer reserves the amount on the source line while in approval, so it
    cannot be spent meanwhile; approval turns it into adjustment rows."""

    class Kind(models.TextChoices):
        INCREASE = "increase", _("Increase (追加)")
        DECREASE = "decrease", _("Decrease (调减)")
        TRANSFER = "transfer", _("Transfer between lines (调剂)")

    class State(models.TextChoices):
        DRAFT = "draft", _("Not submitted")
        PENDING = "pending", _("In approval")
        APPLIED = "applied", _("Applied")
        RELEASED = "released", _("Cancelled")

    case = models.OneToOneField(
        "approvals.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="budget_adjustment"
    )
    kind = models.CharField(_("adjustment"), max_length=10, choices=Kind.choices)
    line = models.ForeignKey(
        BudgetLine, verbose_name=_("budget line"), on_delete=models.PROTECT, related_name="adjustments",
        help_text=_("The line increased or decreased; for a transfer, the line the money comes from."),
    )
    to_line = models.ForeignKey(
        BudgetLine, verbose_name=_("to line"), null=True, blank=True, on_delete=models.PROTECT, related_name="adjustments_in",
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("budget adjustment")
        verbose_name_plural = _("budget adjustments")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="transfer", to_line__isnull=False) & ~models.Q(line=models.F("to_line")))
                | (~models.Q(kind="transfer") & models.Q(to_line__isnull=True)),
                name="budget_adjustment_transfer_has_other_line",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.case_id}"


class ExportJob(models.Model):
    """A large export built in the background; its file is served only to its owner."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("export", "Queued")
        RUNNING = "running", pgettext_lazy("export", "Running")
        DONE = "done", pgettext_lazy("export", "Ready")
        FAILED = "failed", pgettext_lazy("export", "Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="budget_exports")
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    runner = models.CharField(max_length=64, blank=True, help_text="Celery task id of the run that claimed the job.")

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0
