"""Writes of asset cards. Callers (construction's handover) run these inside their own
transaction: a card is created with its source, or none is."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import sequences
from approvals.money import round_money

from .exceptions import AssetError
from .models import AssetCard, AssetClass


def next_asset_number(year: int) -> str:
    return f"ZC-{year}-{sequences.next_number('asset', year):05d}"


def asset_card_create(*, name: str, asset_class: str, value, unit, acquired_on: dt.date, source_kind: str,
                      source_id: int, source_ref: str, actor, location: str = "", estimated: bool = False) -> AssetCard:
    name = (name or "").strip()
    if not name:
        raise AssetError(_("Give the asset's name."), code="name_required")
    if asset_class not in AssetClass.values:
        raise AssetError(_("Choose the asset class."), code="class_required")
    value = round_money(value) if value not in (None, "") else None
    if value is None or value <= 0:
        raise AssetError(_("An asset card needs a value above zero."), code="value_required")
    with transaction.atomic():
        card = AssetCard(
            number=next_asset_number(acquired_on.year), name=name[:200], asset_class=asset_class, value=value, unit=unit,
            location=(location or "")[:200], acquired_on=acquired_on, source_kind=source_kind, source_id=source_id,
            source_ref=source_ref, estimated=estimated, estimated_value=value if estimated else None, created_by=actor,
        )
        card.full_clean()
        card.save()
    return card


def asset_card_adjust(*, card: AssetCard, value) -> AssetCard:
    """Adjust a card carded at an estimate to its value from the final accounts (the card is
    locked; the estimate stays on record)."""
    value = round_money(value)
    if value <= 0:
        raise AssetError(_("An asset card needs a value above zero."), code="value_required")
    with transaction.atomic():
        card = AssetCard.objects.select_for_update().get(pk=card.pk)
        if not card.estimated:
            raise AssetError(_("Card %(number)s was not carded at an estimate.") % {"number": card.number},
                             code="not_estimated")
        card.value, card.estimated, card.adjusted_at = value, False, timezone.now()
        card.save(update_fields=["value", "estimated", "adjusted_at"])
    return card


def cards_of(source_kind: str, source_id: int):
    return AssetCard.objects.filter(source_kind=source_kind, source_id=source_id).order_by("id")
