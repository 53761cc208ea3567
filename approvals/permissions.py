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
