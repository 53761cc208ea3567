"""The one way a record's status changes (django-oscar's ``Order.set_status`` /
``InvalidOrderStatus``): a model declares which statuses each status may move to, and every
change goes through ``transition``, which refuses any other with ``InvalidTransition`` and
saves through the ORM, so django-simple-history keeps the change (a bare ``.update()`` on the
status column would leave no history row).

    class Contract(StatusTransitions, models.Model):
        TRANSITIONS = {Status.DRAFT: {Status.IN_APPROVAL, Status.CANCELLED}, ...}
        transition_error = InvalidContractStatus   # optional: the app's own subclass

    contract.transition(Contract.Status.ACTIVE, activated_at=timezone.now())

The caller holds the row lock (``select_for_update``) inside its ``transaction.atomic()``.
Creating a record in its first status is not a transition; re-opening an existing one is.

An app whose views and case hooks catch its own domain error names a subclass of both as
``transition_error`` (the app's error first: ``class InvalidContractStatus(ContractError,
InvalidTransition)``), so a refused transition reads like any other refusal of the app.
Every model using the mixin is checked at start-up (``core.E002``): each status has its row in
``TRANSITIONS`` and names only statuses of the field.
"""

from __future__ import annotations

from typing import ClassVar

from django.core.checks import Error
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

WRONG_STATUS = "wrong_status"


class InvalidTransition(ValidationError):
    """A status change the record's current status does not allow; the message names the
    record, its status and the status asked for, in the reader's language."""

    def __init__(self, message, code: str = WRONG_STATUS, params=None):
        super().__init__(message, code=code, params=params)

    def __str__(self) -> str:
        return str(self.message % self.params if self.params else self.message)


def _label(field, value) -> str:
    return str(dict(field.flatchoices).get(value, value))


class StatusTransitions:
    """Mixin for a model with a ``status`` field with choices (put it before ``models.Model``)."""

    # status -> the statuses it may move to
    TRANSITIONS: ClassVar[dict[str, set[str]]] = {}
    transition_error: ClassVar[type[InvalidTransition]] = InvalidTransition

    def may_become(self, to: str) -> bool:
        return to in self.TRANSITIONS.get(self.status, ())

    def transition_refusal(self, to: str) -> InvalidTransition:
        """The error ``transition`` raises for ``to`` from the current status."""
        field = self._meta.get_field("status")
        message = _("This %(record)s is “%(status)s” and cannot become “%(to)s”.") % {
            "record": self._meta.verbose_name, "status": _label(field, self.status), "to": _label(field, to),
        }
        return self.transition_error(message, code=WRONG_STATUS)

    def transition(self, to: str, *, fields=(), **changes) -> None:
        """Move to ``to`` if the current status allows it, setting ``changes`` (field=value)
        with it and saving them, ``fields`` (already set by the caller) and the ``auto_now``
        fields; otherwise raise ``transition_error`` and change nothing."""
        if not self.may_become(to):
            raise self.transition_refusal(to)
        for name in (*changes, *fields):
            self._meta.get_field(name)  # FieldDoesNotExist for a typo, before anything is set
        self.status = to
        for name, value in changes.items():
            setattr(self, name, value)
        moving = [f.name for f in self._meta.concrete_fields if getattr(f, "auto_now", False)]
        self.save(update_fields=list(dict.fromkeys(["status", *changes, *fields, *moving])))


def transition_all(queryset, to: str, **changes) -> int:
    """``transition`` each record of ``queryset`` (locked, in id order so two writers cannot
    deadlock) to ``to``; the number moved. The queryset's filter decides which rows move: a
    record outside it is left as it is, as the ``.update()`` it replaces did."""
    with transaction.atomic():
        records = list(queryset.select_for_update(of=("self",)).order_by("pk"))
        for record in records:
            record.transition(to, **changes)
    return len(records)


def transitions_check(app_configs=None, **kwargs) -> list:
    """``core.E002``: a model's ``TRANSITIONS`` covers each status of its field, names only
    those, and its ``transition_error`` is an ``InvalidTransition``."""
    from django.apps import apps

    errors = []
    for model in apps.get_models():
        if not issubclass(model, StatusTransitions):
            continue
        label = model._meta.label
        try:
            values = {v for v, _l in model._meta.get_field("status").flatchoices}
        except FieldDoesNotExist:
            errors.append(Error(f"{label} uses StatusTransitions but has no status field.", obj=model, id="core.E002"))
            continue
        table = model.TRANSITIONS
        named = set(table) | {to for targets in table.values() for to in targets}
        if set(table) != values or not named <= values:
            errors.append(Error(
                f"{label}.TRANSITIONS must have one row per status ({sorted(values)}) naming only those; "
                f"rows: {sorted(table)}, unknown: {sorted(named - values)}.", obj=model, id="core.E002"))
        if not (isinstance(model.transition_error, type) and issubclass(model.transition_error, InvalidTransition)):
            errors.append(Error(f"{label}.transition_error must subclass core.transitions.InvalidTransition.",
                                obj=model, id="core.E002"))
    return errors
