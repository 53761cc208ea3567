"""The risk engine's records: each rule's settings (data the administrator edits), the
warnings the rules raised with their own trail, and the runs."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

SEVERITIES = [("high", _("High")), ("medium", _("Medium")), ("low", _("Low"))]


class RuleSetting(models.Model):
    """How one registered rule runs here. Created with the rule's defaults on first use."""

    class Mode(models.TextChoices):
        WARN = "warn", _("Warn on the form")
        BLOCK = "block", _("Block the submission")

    code = models.CharField(_("rule"), max_length=10, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    severity = models.CharField(_("severity"), max_length=6, choices=SEVERITIES)
    mode = models.CharField(_("on the form"), max_length=5, choices=Mode.choices, default=Mode.WARN)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    notify_roles = ArrayField(models.CharField(max_length=30), verbose_name=_("notify roles"), default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rule setting")
        verbose_name_plural = _("rule settings")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class RiskWarning(models.Model):
    """One finding of one rule about one set of records (keyed by rule + records)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")
        DISMISSED = "dismissed", _("Dismissed")
        CLOSED = "closed", _("Closed (cause gone)")

    LIVE = (Status.OPEN, Status.ACKNOWLEDGED)

    rule_code = models.CharField(_("rule"), max_length=10)
    key = models.CharField(_("records"), max_length=500)
    records = models.JSONField(_("records"), default=list)
    message = models.TextField(_("message"))
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    severity = models.CharField(_("severity"), max_length=6, choices=SEVERITIES)
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("unit"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("owner"))
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_note = models.TextField(_("closing note"), blank=True)

    class Meta:
        verbose_name = _("risk warning")
        verbose_name_plural = _("risk warnings")
        ordering = ["-opened_at", "-id"]
        constraints = [
            # running a rule twice on the same facts raises nothing new
            models.UniqueConstraint(fields=["rule_code", "key"], condition=Q(status__in=["open", "acknowledged"]),
                                    name="one_live_warning_per_finding"),
        ]
        indexes = [models.Index(fields=["status", "rule_code"], name="warning_status_rule")]

    def __str__(self) -> str:
        return f"{self.rule_code} {self.message[:40]}"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE


class WarningAction(models.Model):
    """The warning's trail: who looked, acknowledged, assigned, resolved or dismissed it, and why."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Raised")
        VIEWED = "viewed", _("Viewed")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ASSIGNED = "assigned", _("Assigned")
        RESOLVED = "resolved", _("Resolved")
        DISMISSED = "dismissed", _("Dismissed")
        AUTO_CLOSED = "auto_closed", _("Closed: cause gone")

    warning = models.ForeignKey(RiskWarning, on_delete=models.CASCADE, related_name="actions", verbose_name=_("warning"))
    kind = models.CharField(_("action"), max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("by"))
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("warning action")
        verbose_name_plural = _("warning actions")
        ordering = ["at", "id"]


class Run(models.Model):
    class Kind(models.TextChoices):
        FULL = "full", _("Nightly scan")
        HOURLY = "hourly", _("Hourly scan")
        EVENT = "event", _("After a change")

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    opened = models.PositiveIntegerField(_("opened"), default=0)
    closed = models.PositiveIntegerField(_("closed"), default=0)
    findings = models.PositiveIntegerField(_("findings"), default=0)
    per_rule = models.JSONField(_("per rule"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("risk run")
        verbose_name_plural = _("risk runs")
        ordering = ["-started_at"]
