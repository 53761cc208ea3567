"""Asset cards (资产卡片): the start of the asset module. A card records one fixed asset with
its number, class, value, the unit that holds it and where it came from. Cards are created
by the modules that produce assets (construction hands a completed project over) through
``assets.services``; this app knows those modules only by a label and an id, never by import."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

MONEY = {"max_digits": 14, "decimal_places": 2}


class AssetClass(models.TextChoices):
    """Classes of fixed assets of an administrative unit (政府会计准则第3号——固定资产)."""

    BUILDINGS = "buildings", _("Buildings and structures")
    INFRASTRUCTURE = "infrastructure", _("Public infrastructure")
    EQUIPMENT = "equipment", _("Equipment")
    FURNITURE = "furniture", _("Furniture and fittings")
    OTHER = "other", _("Other fixed assets")


class AssetCard(models.Model):
    number = models.CharField(_("asset number"), max_length=32, unique=True)
    name = models.CharField(_("asset name"), max_length=200)
    asset_class = models.CharField(_("asset class"), max_length=20, choices=AssetClass.choices)
    value = models.DecimalField(_("value (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="asset_cards", verbose_name=_("unit"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    acquired_on = models.DateField(_("in use since"))
    # where the card came from, as "app_label.model" and the record's id and number
    source_kind = models.CharField(_("source"), max_length=50)
    source_id = models.PositiveBigIntegerField(_("source record"))
    source_ref = models.CharField(_("source number"), max_length=40)
    estimated = models.BooleanField(
        _("carded at an estimate"), default=False,
        help_text=_("Handed over before the final accounts: the value is adjusted once they are approved."),
    )
    estimated_value = models.DecimalField(_("estimated value (yuan)"), **MONEY, null=True, blank=True)
    adjusted_at = models.DateTimeField(_("value adjusted at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("asset card")
        verbose_name_plural = _("asset cards")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["source_kind", "source_id"]), models.Index(fields=["unit", "asset_class"])]
        constraints = [models.CheckConstraint(condition=Q(value__gt=0), name="asset_card_value_positive")]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"
