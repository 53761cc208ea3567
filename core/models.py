"""Kernel tables: event deliveries and the office's working-day calendar."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class EventDelivery(models.Model):
    """One listener's delivery of one business event (core.events): written in the business
    transaction that emitted the event (so a commit always leaves it behind, even if the
    process dies before delivering), marked done in the same transaction as the listener's
    own writes (so it is handled once), retried by beat while pending."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Delivered")
        FAILED = "failed", _("Failed")

    event_id = models.UUIDField(_("event"))
    name = models.CharField(_("event name"), max_length=60)
    payload = models.JSONField(_("payload"), default=dict)
    listener = models.CharField(_("listener"), max_length=100)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("event delivery")
        verbose_name_plural = _("event deliveries")
        constraints = [models.UniqueConstraint(fields=["event_id", "listener"], name="event_delivered_once")]
        indexes = [models.Index(fields=["status", "created_at"], name="event_delivery_pending")]

    def __str__(self) -> str:
        return f"{self.name} → {self.listener}"


class Workday(models.Model):
    """One day whose status the administrator sets by hand, from the State Council's holiday
    notice (国务院办公厅关于××年部分节假日安排的通知): a holiday (国庆节) or a 调休 working
    weekend (调休上班). It overrides the ``chinesecalendar`` package for that day, and for a
    year the package does not know yet the rows of that year are the year's schedule."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(
        _("working day"), help_text=_("Ticked: the office works that day (e.g. a 调休 weekend). Unticked: a day off.")
    )
    name = models.CharField(_("name"), max_length=40, help_text=_("e.g. 国庆节, 春节, 调休上班"))
    regulation = models.CharField(
        _("regulation"), max_length=200, blank=True,
        help_text=_("The notice that sets this day, e.g. 国办发明电〔2025〕7号"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, editable=False,
        on_delete=models.PROTECT, related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("working-day calendar entry")
        verbose_name_plural = _("working-day calendar")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class Sequence(models.Model):
    """The last number issued of one series (``key``) in one year, e.g. ("case:CW", 2026) or
    ("contract", 2026); ``core.sequences.next_number`` increments it under a row lock."""

    key = models.CharField(_("series"), max_length=40)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        constraints = [models.UniqueConstraint(fields=["key", "year"], name="core_sequence_key_year_unique")]

    def __str__(self) -> str:
        return f"{self.key} {self.year}: {self.last}"
