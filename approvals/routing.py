"""Tiered delegated routing: choose the policy tier by amount and resolve each step's role
to people at submission time (never a fixed person in the policy)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from org.models import FunctionalDepartment, Role, User

from .models import Matter, Policy, PolicyStep, StepKind, StepMode


def select_policy(matter: Matter, amount: Decimal | None) -> Policy | None:
    """The tier for the amount: the matter's own policy, else its category's, else the default."""
    value = amount or Decimal("0")
    scopes = [Q(matter=matter), Q(matter__isnull=True, category=matter.category), Q(matter__isnull=True, category="")]
    for scope in scopes:
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


def resolve_step(step: PolicyStep, *, matter: Matter, unit, applicant) -> ResolvedStep:
    kind = step.kind
    users: list[User] = []
    if kind == StepKind.UNIT_HEAD:
        users = list(User.objects.with_role(Role.UNIT_HEAD).filter(unit=unit))
    elif kind == StepKind.FUNCTIONAL:
        fu = _functional_unit(matter.functional_field) if matter.functional_field else None
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
    if users and not others:
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


def resolve_route(*, matter: Matter, unit, applicant, amount) -> tuple[Policy | None, list[ResolvedStep]]:
    policy = select_policy(matter, amount)
    if policy is None:
        return None, []
    steps = [resolve_step(s, matter=matter, unit=unit, applicant=applicant) for s in policy.steps.all()]
    return policy, steps


def route_preview(*, matter, unit, applicant, amount) -> dict:
    policy, steps = resolve_route(matter=matter, unit=unit, applicant=applicant, amount=amount)
    return {"policy": policy, "steps": steps, "errors": [s.error for s in steps if s.error]}
