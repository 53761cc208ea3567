"""Who may see and change construction projects (deny by default).

Read: the project's unit and the units a leader supervises (org.visible_unit_ids), the works
functional department (建设办, reviews every project), finance, supervisors, principal leaders
and administrators (who read everything). Change: a person of the project's unit or of the
works department who is not read-only; supervisors read everything and change nothing."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from org.models import FunctionalDepartment
from org.selectors import visible_unit_ids

from .models import Project


def _works_member(user) -> bool:
    cached = getattr(user, "_works_member", None)
    if cached is None:
        cached = user._works_member = bool(user.unit_id) and FunctionalDepartment.objects.filter(
            field=FunctionalDepartment.Field.WORKS, unit_id=user.unit_id).exists()
    return cached


def scope(user) -> set[int] | None:
    """Units whose projects the user may read; None for every unit; PermissionDenied for nobody."""
    if not user.is_authenticated or not user.is_active or not (user.is_superuser or user.roles):
        raise PermissionDenied
    ids = visible_unit_ids(user)
    if ids is not None and _works_member(user):
        return None
    if ids is not None and not ids:
        raise PermissionDenied
    return ids


def can_read(user, project: Project) -> bool:
    try:
        units = scope(user)
    except PermissionDenied:
        return False
    return units is None or project.unit_id in units


def can_create(user) -> bool:
    return bool(user.is_authenticated and user.is_active and not user.changes_nothing and user.unit_id
                and (user.is_superuser or user.roles))


def can_change(user, project: Project) -> bool:
    if not can_create(user):
        return False
    return project.unit_id == user.unit_id or _works_member(user) or user.is_superuser


def project_for(user, pk) -> Project:
    """The project if the user may read it: 404 when it does not exist or is not theirs to see."""
    project = Project.objects.select_related("unit", "case", "created_by").filter(pk=pk).first()
    if project is None or not can_read(user, project):
        raise Http404
    return project


def require_change(user, project: Project) -> None:
    if not can_change(user, project):
        raise PermissionDenied
