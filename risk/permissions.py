"""Who sees and who handles risk warnings: one place for the app.

* see: supervisors (纪检监察、审计), the principal and the administrator see every warning; a
  leader in charge sees the warnings of the units they supervise; the owner of a warning sees it.
* handle (acknowledge, assign, resolve, dismiss): supervisors, the principal and the
  administrator; the owner may acknowledge and resolve their own. Handling a warning changes
  only the risk app's records, never a business record, so the supervisor may do it
  (core.middleware.READ_ONLY_MAY_POST names the one URL).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from org.models import Role

from .models import RiskWarning

DESK_ROLES = (Role.SUPERVISOR, Role.PRINCIPAL, Role.ADMIN)


def sees_all(user) -> bool:
    return user.is_superuser or user.has_role(*DESK_ROLES)


def may_open_desk(user) -> bool:
    return user.is_authenticated and (sees_all(user) or user.has_role(Role.LEADER)
                                      or RiskWarning.objects.filter(owner=user).exists())


def visible_warnings(user) -> QuerySet[RiskWarning]:
    qs = RiskWarning.objects.all()
    if sees_all(user):
        return qs
    scope = Q(owner=user)
    if user.has_role(Role.LEADER):
        scope |= Q(unit__leader_in_charge=user)
    return qs.filter(scope)


def warning_for(user, pk: int) -> RiskWarning:
    warning = visible_warnings(user).filter(pk=pk).select_related("unit", "owner").first()
    if warning is None:
        raise Http404
    return warning


def may_handle(user, warning: RiskWarning, action: str) -> bool:
    if not warning.is_live:
        return False
    if sees_all(user):
        return True
    return warning.owner_id == user.pk and action in ("acknowledge", "resolve")
