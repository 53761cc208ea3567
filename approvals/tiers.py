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

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from org.models import Role

from . import registry
from .exceptions import ApprovalError
from .models import Category, Policy, PolicyStep, StepKind
from .money import format_yuan
from .routing import ScopeKey, scope_q, scope_key

WAN = Decimal("10000")
NAME_MAX = Policy._meta.get_field("name").max_length


class TierError(ApprovalError):
    """A tier edit that would leave a gap or an overlap, or is otherwise refused."""


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


def _find(tiers, pk: int) -> int:
    for i, tier in enumerate(tiers):
        if tier.pk == pk:
            return i
    raise TierError(_("This tier no longer exists or is not active; reload the page."), code="tier_gone")


def _check(obj) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise TierError(" ".join(exc.messages), code="invalid") from None


def _bounds_error(amount, low: Policy, high: Policy | None) -> TierError:
    if high is None:
        text = _("%(amount)s is not above %(low)s, where tier “%(low_name)s” starts: the two tiers would overlap. "
                 "Choose an amount above %(low)s.")
    else:
        text = _("%(amount)s is not between %(low)s, where tier “%(low_name)s” starts, and %(high)s, where tier "
                 "“%(high_name)s” starts: the tiers would overlap. Choose an amount between the two.")
    return TierError(text % {
        "amount": format_yuan(amount), "low": format_yuan(low.min_amount), "low_name": low.name,
        "high": format_yuan(high.min_amount) if high else "", "high_name": high.name if high else "",
    }, code="overlap")


def _require_editor(actor) -> None:
    """Administrators change the tiers; a supervisor reads them (User.changes_nothing)."""
    if actor is None or actor.changes_nothing or not (actor.is_superuser or actor.has_role(Role.ADMIN)):
        raise TierError(_("Only administrators change the approval thresholds."), code="read_only")


def _checked_amount(amount) -> Decimal:
    if amount is None:
        raise TierError(_("Give the amount in yuan, e.g. 50000."), code="amount_required")
    if amount < 0:
        raise TierError(_("The amount may not be negative."), code="negative")
    return amount


# --- writes ------------------------------------------------------------------------------
def tier_set_start(*, tier: Policy, min_amount: Decimal, actor) -> Policy:
    """Move where ``tier`` starts (the tier below now ends there): only between the starts of
    its neighbours; the lowest tier always starts at ¥0.00."""
    _require_editor(actor)
    amount = _checked_amount(min_amount)
    with transaction.atomic():
        tiers = _lock_scope(scope_key(tier))
        i = _find(tiers, tier.pk)
        tier = tiers[i]
        if i == 0:
            if amount != 0:
                raise TierError(_("The lowest tier of a scope starts at ¥0.00; otherwise amounts below %(amount)s "
                                  "would have no route.") % {"amount": format_yuan(amount)}, code="gap")
            return tier
        high = tiers[i + 1] if i + 1 < len(tiers) else None
        if amount <= tiers[i - 1].min_amount or (high is not None and amount >= high.min_amount):
            raise _bounds_error(amount, tiers[i - 1], high)
        if amount != tier.min_amount:
            tier.min_amount = amount
            _check(tier)
            _save_scope(tiers, actor=actor, reason=_("Start moved to %(amount)s") % {"amount": format_yuan(amount)},
                        changed={tier.pk})
    return tier


def tier_split(*, tier: Policy, at: Decimal, actor) -> Policy:
    """Add a tier from ``at`` to where ``tier`` ended, with a copy of ``tier``'s steps (to be
    edited next); ``tier`` now ends at ``at``."""
    _require_editor(actor)
    amount = _checked_amount(at)
    with transaction.atomic():
        tiers = _lock_scope(scope_key(tier))
        i = _find(tiers, tier.pk)
        tier = tiers[i]
        high = tiers[i + 1] if i + 1 < len(tiers) else None
        if amount <= tier.min_amount or (high is not None and amount >= high.min_amount):
            raise _bounds_error(amount, tier, high)
        new = Policy(matter=tier.matter, category=tier.category, stage=tier.stage, min_amount=amount,
                     on_unresolved=tier.on_unresolved, is_active=True, name="-")
        _check(new)
        tiers.insert(i + 1, new)
        _save_scope(tiers, actor=actor, reason=_("Tier added from %(amount)s") % {"amount": format_yuan(amount)},
                    changed={new.pk})
        for step in tier.steps.all():
            copy = PolicyStep(policy=new, order=step.order, name=step.name, kind=step.kind, role=step.role,
                              field=step.field, mode=step.mode, time_limit_hours=step.time_limit_hours)
            _stamp(copy, actor, _("Copied from tier “%(tier)s”") % {"tier": tier.name})
            copy.save()
    return new


def tier_merge(*, tier: Policy, actor) -> Policy:
    """Remove ``tier``: its range joins the tier below, which keeps its own steps. The lowest
    tier cannot go (the amounts from ¥0.00 would have no route). Returns the tier below."""
    _require_editor(actor)
    with transaction.atomic():
        tiers = _lock_scope(scope_key(tier))
        i = _find(tiers, tier.pk)
        if i == 0:
            raise TierError(_("The lowest tier of a scope cannot be removed: amounts from ¥0.00 would have no route. "
                              "Remove the tier above it instead, or change its steps."), code="gap")
        gone = tiers.pop(i)
        reason = _("Tier “%(tier)s” merged into the tier below") % {"tier": gone.name}
        for step in gone.steps.all():
            _stamp(step, actor, reason)
            step.delete()
        _stamp(gone, actor, reason)
        gone.delete()
        below = tiers[i - 1]
        _save_scope(tiers, actor=actor, reason=reason)
    return below


@dataclass
class StepSpec:
    """One step as the administrator wrote it; ``id`` names an existing step of the tier."""

    kind: str
    mode: str
    id: int | None = None
    name: str = ""
    role: str = ""
    field: str = ""
    time_limit_hours: int = 8


STEP_FIELDS = ("name", "kind", "role", "field", "mode", "time_limit_hours")


def tier_steps_save(*, tier: Policy, steps: list[StepSpec], actor) -> list[PolicyStep]:
    """Make ``steps`` (in this order) the tier's chain: existing steps kept, changed or
    reordered, the others removed, new ones added. Every step is checked first; a refusal
    saves nothing."""
    _require_editor(actor)
    with transaction.atomic():
        tiers = _lock_scope(scope_key(tier))
        tier = tiers[_find(tiers, tier.pk)]
        existing = {s.pk: s for s in PolicyStep.objects.select_for_update().filter(policy=tier).order_by("pk")}
        chain, errors = [], []
        for number, spec in enumerate(steps, start=1):
            if spec.id is not None and spec.id not in existing:
                raise TierError(_("A step of this tier was changed meanwhile; reload the page."), code="stale")
            step = existing.get(spec.id) if spec.id is not None else PolicyStep(policy=tier)
            before = {f: getattr(step, f) for f in ("order", *STEP_FIELDS)} if step.pk else None
            for f in STEP_FIELDS:
                setattr(step, f, getattr(spec, f))
            if spec.kind == StepKind.ADDED:
                errors.append(_("Step %(n)d: an added approver (加签) is made while approving, never configured.")
                              % {"n": number})
                continue
            step.order = number
            try:
                step.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                errors.extend(_("Step %(n)d: %(error)s") % {"n": number, "error": e} for e in exc.messages)
            chain.append((step, before))
        if errors:
            raise TierError(" ".join(errors), code="invalid_step")
        reason = _("Steps of the tier edited")
        kept = {step.pk for step, _before in chain if step.pk}
        for pk, step in existing.items():
            if pk not in kept:
                _stamp(step, actor, reason)
                step.delete()
        # a step moving to an order another step holds now steps aside first (no history: the
        # step's real change is recorded once, below)
        moving = [(s, b) for s, b in chain if s.pk and b["order"] != s.order]
        for offset, (step, _before) in enumerate(moving):
            PolicyStep.objects.filter(pk=step.pk).update(order=10000 + offset)
        for step, before in chain:
            if before is None or any(before[f] != getattr(step, f) for f in before):
                _stamp(step, actor, reason)
                step.save()
    return [s for s, _b in chain]
