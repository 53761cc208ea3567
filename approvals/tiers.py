"""The amount tiers of routing (分级授权) as the administrator edits them: their names, made
from their ranges, and the writes that move a bound, split a tier, merge one into the tier
below and rewrite a tier's steps.

The tiers of one scope (a matter, a category or the default; the whole matter or one stage)
are contiguous by construction: the lowest starts at ¥0.00 and each ends where the next one
starts, so a write can only refuse to leave a gap or an overlap, never make one. Every write
runs in one transaction holding the scope's Policy rows locked in pk order, and renames the
tiers whose range it changed — the neighbour's too — through ``tier_name``, the one place a
tier's name comes from (the app's page, the Django admin, the demo seed and the migration
that renamed the existing tiers all call it)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from . import registry
from .models import Category, Policy
from .money import format_yuan
from .routing import ScopeKey, scope_q, scope_key

WAN = Decimal("10000")
NAME_MAX = Policy._meta.get_field("name").max_length


# --- names -------------------------------------------------------------------------------
def amount_label(value) -> str:
    """An amount as the office writes tiers: in 万元 when round (a multiple of ¥1,000 from
    ¥10,000 up: 5万元, 1.5万元), else in yuan with thousands separators (¥5,000, ¥12,345.60)."""
    amount = Decimal(value)
    if amount >= WAN and amount % 1000 == 0:
        return _("%(n)s wan yuan") % {"n": f"{(amount / WAN).normalize():f}"}
    if amount == amount.to_integral_value():
        return f"¥{amount:,.0f}"
    return format_yuan(amount)


def range_label(start, end) -> str:
    """5万元以下 · 5万元（含）至50万元 · 50万元（含）以上 · 不限金额: [start, end)."""
    start = Decimal(start or 0)
    if end is None:
        return _("any amount") if not start else _("%(start)s (inclusive) and above") % {"start": amount_label(start)}
    if not start:
        return _("below %(end)s") % {"end": amount_label(end)}
    return _("%(start)s (inclusive) to %(end)s") % {"start": amount_label(start), "end": amount_label(end)}


def tier_name(*, matter_name: str = "", category: str = "", stage: str = "", start, end) -> str:
    """The name of a tier, always in the office's language (it is stored and printed):
    "采购·合同（5万元（含）至30万元）", "默认审批（1万元以下）"."""
    with translation.override(settings.LANGUAGE_CODE):
        parts = [matter_name or (str(Category(category).label) if category else "")]
        if stage:
            section = registry.get(stage)
            parts.append(str(section.label) if section else stage)
        scope = "·".join(p for p in parts if p) or _("Default approval")
        name = _("%(scope)s (%(range)s)") % {"scope": scope, "range": range_label(start, end)}
    return name[:NAME_MAX]


def scope_names(tiers) -> list[str]:
    """The names of one scope's active tiers, given sorted by their start."""
    out = []
    for i, tier in enumerate(tiers):
        end = tiers[i + 1].min_amount if i + 1 < len(tiers) else None
        out.append(tier_name(matter_name=tier.matter.name if tier.matter_id else "", category=tier.category,
                             stage=tier.stage, start=tier.min_amount, end=end))
    return out


def expected_name(policy: Policy) -> str:
    """The name ``policy`` should carry among the active tiers of its scope as they are in the
    database now (the admin names a tier before saving it)."""
    siblings = Policy.objects.filter(scope_q(scope_key(policy)), is_active=True)
    if policy.pk:
        siblings = siblings.exclude(pk=policy.pk)
    end = siblings.filter(min_amount__gt=policy.min_amount).order_by("min_amount").values_list("min_amount", flat=True).first()
    return tier_name(matter_name=policy.matter.name if policy.matter_id else "", category=policy.category,
                     stage=policy.stage, start=policy.min_amount, end=end)


def _save_scope(tiers, *, actor, reason: str, changed=()) -> None:
    """Save the tiers of a scope (sorted by start) whose name no longer fits their range, and
    those in ``changed``: one history record per tier and write."""
    for tier, name in zip(tiers, scope_names(tiers)):
        edited = tier.pk is None or tier.pk in changed
        if edited or tier.name != name:
            tier.name = name
            _stamp(tier, actor, reason if edited else _("Name follows the range"))
            tier.save()


def _stamp(obj, actor, reason: str) -> None:
    obj._history_user = actor
    obj._change_reason = reason[:100]  # simple_history keeps 100 characters


def _lock_scope(key: ScopeKey) -> list[Policy]:
    """Lock every Policy row of the scope in pk order and return its active tiers by start.
    The first statement waits for any other writer of the scope; the second, run after the
    wait, sees (and locks) a tier that writer added meanwhile."""
    rows = Policy.objects.filter(scope_q(key)).select_for_update(of=("self",)).order_by("pk")
    list(rows.values_list("pk", flat=True))
    locked = list(rows.select_related("matter"))
    return sorted((p for p in locked if p.is_active), key=lambda p: p.min_amount)


def rename_scope(key: ScopeKey, *, actor=None) -> None:
    """Rename the tiers of a scope after a change the admin made (a bound, a tier added,
    deactivated or removed), under the scope's lock."""
    with transaction.atomic():
        _save_scope(_lock_scope(key), actor=actor, reason="")

