"""Tiered delegated routing: choose the policy tier by the stage and the amount it decides,
and resolve each step's role to people at submission time (never a fixed person in the
policy).

Each stage of a matter (budget, purchase, award, contract, acceptance, payment, supplement)
may have tiers of its own (``Policy.stage``); a stage without its own tiers takes the
whole matter's (``stage`` empty). Within each, the matter's own policy comes first, then its
category's, then the default."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from org.models import FunctionalDepartment, Role, User

from . import registry
from .models import Matter, Policy, PolicyStep, StepKind, StepMode


ScopeKey = tuple[str, object, str]


def scope_key(policy: Policy) -> ScopeKey:
    """The scope a tier belongs to: ("matter", matter id, stage) or ("category", category or
    "" for the default, stage)."""
    if policy.matter_id:
        return ("matter", policy.matter_id, policy.stage)
    return ("category", policy.category, policy.stage)


def scope_keys(matter: Matter, stage: str = "") -> list[ScopeKey]:
    """The scopes the engine tries for a matter's stage, in order: the stage's own tiers
    (matter, category, default), then the whole matter's (matter, category, default)."""
    own = [("matter", matter.pk), ("category", matter.category), ("category", "")]
    stages = [stage, ""] if stage else [""]
    return [(kind, value, key) for key in stages for kind, value in own]


def scope_q(key: ScopeKey) -> Q:
    kind, value, stage = key
    if kind == "matter":
        return Q(matter_id=value, stage=stage)
    return Q(matter__isnull=True, category=value, stage=stage)


def _scopes(matter: Matter, stage: str) -> list[Q]:
    return [scope_q(key) for key in scope_keys(matter, stage)]


def effective_scope(matter: Matter, stage: str, present) -> ScopeKey | None:
    """The scope whose tiers route the matter's stage, among the scopes ``present`` (those
    that have an active tier): the same order as ``select_policy``, without a query."""
    return next((key for key in scope_keys(matter, stage) if key in present), None)


def select_policy(matter: Matter, amount: Decimal | None, stage: str = "") -> Policy | None:
    """The tier for the amount: the stage's own tiers (matter, category, default), else the
    whole matter's (matter, category, default)."""
    value = amount or Decimal("0")
    for scope in _scopes(matter, stage or ""):
        tiers = Policy.objects.filter(scope, is_active=True)
        if tiers.exists():
            return tiers.filter(min_amount__lte=value).order_by("-min_amount").first()
    return None


@dataclass
class ResolvedStep:
    order: int
    name: str
    kind: str
    mode: str
    time_limit_hours: int
    users: list[User] = field(default_factory=list)
    skipped_applicant: bool = False  # the applicant was the only holder: recorded, not approved by them
    error: str = ""


def _functional_unit(field_name: str):
    fd = FunctionalDepartment.objects.select_related("unit", "unit__leader_in_charge").filter(field=field_name).first()
    return fd.unit if fd else None


def resolve_step(step: PolicyStep, *, matter: Matter, unit, applicant, stage: str = "", case=None) -> ResolvedStep:
    kind = step.kind
    users: list[User] = []
    pending_section = False
    if kind == StepKind.UNIT_HEAD:
        users = list(User.objects.with_role(Role.UNIT_HEAD).filter(unit=unit))
    elif kind == StepKind.SECTION:
        section = registry.get(stage) if stage else None
        if case is None:
            pending_section = True  # a preview: the stage names its people when it is filled
        elif section is not None:
            users = [u for u in section.approvers(case) if u.is_active]
    elif kind == StepKind.FUNCTIONAL:
        field_name = step.field or matter.functional_field
        fu = _functional_unit(field_name) if field_name else None
        if fu is not None:
            users = list(User.objects.with_role(Role.UNIT_HEAD).filter(unit=fu))
    elif kind == StepKind.FINANCE_REVIEW:
        users = list(User.objects.with_role(Role.FINANCE_REVIEWER))
    elif kind == StepKind.LEADER_IN_CHARGE:
        if unit.leader_in_charge_id and unit.leader_in_charge.is_active:
            users = [unit.leader_in_charge]
    elif kind == StepKind.FINANCE_LEADER:
        fu = _functional_unit(FunctionalDepartment.Field.MONEY)
        if fu is not None and fu.leader_in_charge_id and fu.leader_in_charge.is_active:
            users = [fu.leader_in_charge]
    elif kind in (StepKind.PRINCIPAL, StepKind.COLLECTIVE):
        users = list(User.objects.with_role(Role.PRINCIPAL))
    elif kind == StepKind.POSITION and step.role:
        users = list(User.objects.with_role(step.role))
    resolved = ResolvedStep(
        order=step.order,
        name=step.label,
        kind=kind,
        mode=step.mode,
        time_limit_hours=step.time_limit_hours,
    )
    others = [u for u in users if u.pk != applicant.pk]
    if pending_section:
        pass
    elif users and not others:
        # Nobody approves their own form: the step is recorded as skipped for that reason,
        # and the route goes on to the next (higher) step.
        resolved.skipped_applicant = True
    elif not others:
        resolved.error = _("Step “%(step)s” resolves to nobody (no %(who)s is configured).") % {
            "step": step.label,
            "who": StepKind(kind).label if kind != StepKind.POSITION else Role(step.role).label,
        }
    resolved.users = others
    if resolved.mode == StepMode.SINGLE and len(others) > 1:
        resolved.mode = StepMode.ANY  # several holders of a single step: any one of them decides
    return resolved


def resolve_route(*, matter: Matter, unit, applicant, amount, stage: str = "", case=None) -> tuple[Policy | None, list[ResolvedStep]]:
    policy = select_policy(matter, amount, stage)
    if policy is None:
        return None, []
    steps = [resolve_step(s, matter=matter, unit=unit, applicant=applicant, stage=stage, case=case)
             for s in policy.steps.all()]
    return policy, steps


def route_preview(*, matter, unit, applicant, amount, stage: str = "") -> dict:
    policy, steps = resolve_route(matter=matter, unit=unit, applicant=applicant, amount=amount, stage=stage)
    return {"policy": policy, "steps": steps, "errors": [s.error for s in steps if s.error]}


def chain_preview(*, matter, unit, applicant, amount) -> list[dict]:
    """The route of every stage of the matter for a form of ``amount`` (each stage at most
    that amount): [{"key", "label", "policy", "steps", "errors"}]. A matter without stages
    has one entry for the whole matter."""
    keys = list(matter.stages) or [""]
    out = []
    for key in keys:
        section = registry.get(key) if key else None
        preview = route_preview(matter=matter, unit=unit, applicant=applicant, amount=amount, stage=key)
        preview.update(key=key, label=str(section.label) if section else str(matter.name))
        out.append(preview)
    return out
