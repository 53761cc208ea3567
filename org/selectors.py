"""Read helpers for organisation data."""

from __future__ import annotations

from .models import FunctionalDepartment, Role, Unit, User


def unit_heads(unit: Unit):
    return User.objects.with_role(Role.UNIT_HEAD).filter(unit=unit)


def functional_unit(field: str) -> Unit | None:
    fd = FunctionalDepartment.objects.select_related("unit").filter(field=field).first()
    return fd.unit if fd else None


def users_with_role(role: str):
    return User.objects.with_role(role)


def visible_unit_ids(user: User) -> set[int] | None:
    """Units whose records the user may read; None means every unit."""
    if user.reads_everything:
        return None
    ids: set[int] = set()
    if user.unit_id:
        ids.add(user.unit_id)
    if user.has_role(Role.LEADER):
        ids.update(Unit.objects.filter(leader_in_charge=user).values_list("id", flat=True))
    return ids
