"""Kernel tables."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
