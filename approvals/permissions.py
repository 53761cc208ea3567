"""Who may see and act on a case. Deny by default: a case is visible to its applicant,
the heads of its unit, the leader in charge of its unit, everyone who held a step of its
route or was copied (django-guardian object permission), finance, supervisors,
principal leaders and administrators — and to nobody else (404 for a guessed id)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from guardian.shortcuts import assign_perm

from org.models import Role

from .models import Case, CaseObjectPermission, Delegation  # noqa: F401


def case_visibility_q(user) -> Q | None:
    """A filter for the cases the user may read; None means all cases. Object permissions
    are an EXISTS subquery, so the filter needs no join and no DISTINCT."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.reads_everything:
        return None
    q = Q(applicant=user) | Q(Exists(CaseObjectPermission.objects.filter(content_object=OuterRef("pk"), user=user)))
    # a stand-in sees what the people they stand in for see through their route steps,
    # within the delegation's category only
    for principal_id, category in delegation_scopes(user):
        one = Q(Exists(CaseObjectPermission.objects.filter(content_object=OuterRef("pk"), user_id=principal_id)))
        if category:
            one &= Q(category=category)
        q |= one
    if user.has_role(Role.UNIT_HEAD) and user.unit_id:
        q |= Q(unit_id=user.unit_id)
    if user.has_role(Role.LEADER):
        q |= Q(unit__leader_in_charge=user)
    return q


def visible_cases(user, queryset=None):
    qs = queryset if queryset is not None else Case.objects.all()
    q = case_visibility_q(user)
    if q is None:
        return qs
    return qs.filter(q)


def can_view_case(user, case: Case) -> bool:
    if not user.is_authenticated:
        return False
    if user.reads_everything or case.applicant_id == user.pk:
        return True
    if user.has_role(Role.UNIT_HEAD) and user.unit_id and case.unit_id == user.unit_id:
        return True
    if user.has_role(Role.LEADER) and case.unit.leader_in_charge_id == user.pk:
        return True
    holders = [user.pk] + [p for p, category in delegation_scopes(user) if not category or category == case.category]
    return CaseObjectPermission.objects.filter(content_object=case, user_id__in=holders).exists()


def get_case_for_user(user, pk, *, queryset=None) -> Case:
    """The one access helper every case view uses: 404 unless the user may read the case
    (one indexed fetch, then the cheap checks, then at most one EXISTS)."""
    qs = queryset if queryset is not None else Case.objects.select_related("matter", "unit", "applicant", "current_step")
    try:
        case = qs.filter(pk=int(pk)).first()
    except (ValueError, TypeError):
        raise Http404 from None
    if case is None or not can_view_case(user, case):
        raise Http404
    return case


def grant_view(case: Case, users) -> None:
    for user in users:
        assign_perm("approvals.view_case", user, case)


def delegation_scopes(user, *, on=None) -> list[tuple[int, str]]:
    """(principal id, category or "") of every delegation to ``user`` in force today: the one
    source of what a stand-in may see and decide."""
    day = on or timezone.localdate()
    return list(
        Delegation.objects.filter(deputy=user, is_active=True, start__lte=day, end__gte=day).values_list(
            "principal_id", "category"
        )
    )


DECIDING_ROLES = (Role.UNIT_HEAD, Role.FINANCE_REVIEWER, Role.LEADER, Role.PRINCIPAL)


def may_set_any_standin(user) -> bool:
    """An administrator sets a stand-in for any leader (a leader on sudden leave cannot)."""
    return bool(user and user.is_authenticated) and user.has_role(Role.ADMIN) and not user.changes_nothing


def standin_refusal(principal, deputy) -> str | None:
    """Why ``deputy`` may not stand in for ``principal`` (None if they may): the one rule the
    delegation form shows. A stand-in decides within the principal's own scope, so they work
    where the principal does — in the principal's unit, in a unit the principal is in charge
    of, or (for a leader) in the leadership; or they are the leader in charge of the
    principal's unit."""
    from django.utils.translation import gettext as _

    if principal is None or deputy is None:
        return None
    names = {"deputy": deputy.get_full_name(), "principal": principal.get_full_name()}
    if deputy.pk == principal.pk:
        return _("%(principal)s cannot stand in for themselves: choose another person.") % names
    if not deputy.is_active:
        return _("%(deputy)s's account is not active.") % names
    if deputy.changes_nothing:
        return _("%(deputy)s only reads (supervision) and cannot decide for anyone.") % names
    unit = principal.unit
    if deputy.unit_id is not None and deputy.unit_id == principal.unit_id:
        return None
    if unit is not None and unit.leader_in_charge_id == deputy.pk:
        return None
    if principal.has_role(Role.LEADER, Role.PRINCIPAL):
        if deputy.unit is not None and deputy.unit.kind == deputy.unit.Kind.LEADERSHIP:
            return None
        if deputy.unit is not None and deputy.unit.leader_in_charge_id == principal.pk:
            return None
    return _(
        "%(deputy)s is outside %(principal)s's scope: a stand-in works in the same unit, in a unit "
        "%(principal)s is in charge of, or is a leader of the office."
    ) % names


def standins_for(user_ids, *, category: str = "", exclude_deputy_id: int | None = None, on=None) -> dict[int, str]:
    """The stand-ins in force today for each of ``user_ids`` (one query): {principal id:
    "郑晓梅" or "郑晓梅、王芳"}. A delegation limited to another category does not count, nor
    a stand-in who filed the form (nobody decides their own form)."""
    ids = [i for i in set(user_ids) if i]
    if not ids:
        return {}
    day = on or timezone.localdate()
    qs = Delegation.objects.filter(principal_id__in=ids, is_active=True, start__lte=day, end__gte=day)
    qs = qs.filter(Q(category="") | Q(category=category)) if category else qs.filter(category="")
    if exclude_deputy_id:
        qs = qs.exclude(deputy_id=exclude_deputy_id)
    out: dict[int, list[str]] = {}
    for principal_id, full_name, username in qs.order_by("start", "id").values_list(
        "principal_id", "deputy__full_name", "deputy__username"
    ):
        out.setdefault(principal_id, []).append(full_name or username)
    return {k: "、".join(v) for k, v in out.items()}


def thresholds_access(user) -> bool:
    """The approval thresholds page (审批权限设置), deny by default: administrators read and
    change it; supervisors (纪检监察、审计) read it and change nothing; everyone else gets a
    403. Returns whether the user may change the tiers."""
    from django.core.exceptions import PermissionDenied

    if not (user and user.is_authenticated and user.is_active):
        raise PermissionDenied
    if (user.is_superuser or user.has_role(Role.ADMIN)) and not user.changes_nothing:
        return True
    if user.has_role(Role.SUPERVISOR):
        return False
    raise PermissionDenied
