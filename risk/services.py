"""Handling a warning: each action checks who may do it and the warning's state, under a row
lock, and leaves a line in the warning's trail."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import Notification

from .models import RiskWarning, WarningAction
from .permissions import may_handle


class RiskError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


ACTIONS = ("acknowledge", "assign", "resolve", "dismiss")


def warning_act(*, warning: RiskWarning, actor, action: str, note: str = "", owner=None) -> RiskWarning:
    if action not in ACTIONS:
        raise RiskError(_("Unknown action."))
    note = (note or "").strip()
    with transaction.atomic():
        warning = RiskWarning.objects.select_for_update().get(pk=warning.pk)
        if not warning.is_live:
            raise RiskError(_("This warning is closed already."))
        if not may_handle(actor, warning, action):
            raise RiskError(_("You may not handle this warning."))
        now = timezone.now()
        kind = {"acknowledge": WarningAction.Kind.ACKNOWLEDGED, "assign": WarningAction.Kind.ASSIGNED,
                "resolve": WarningAction.Kind.RESOLVED, "dismiss": WarningAction.Kind.DISMISSED}[action]
        if action in ("resolve", "dismiss"):
            if not note:
                raise RiskError(_("Give the reason."))
            warning.status = RiskWarning.Status.RESOLVED if action == "resolve" else RiskWarning.Status.DISMISSED
            warning.closed_at, warning.close_note = now, note
        elif action == "acknowledge":
            if warning.status != RiskWarning.Status.OPEN:
                raise RiskError(_("This warning is acknowledged already."))
            warning.status = RiskWarning.Status.ACKNOWLEDGED
        else:
            if owner is None:
                raise RiskError(_("Choose the person who takes it on."))
            warning.owner = owner
            note = note or owner.get_full_name()
        warning.save()
        WarningAction.objects.create(warning=warning, kind=kind, actor=actor, note=note, at=now)
        if action == "assign":
            Notification.objects.create(user=owner, text=_("A risk warning was assigned to you: %(message)s") % {
                "message": warning.message[:150]})
    return warning


def warning_viewed(*, warning: RiskWarning, actor) -> None:
    """The trail records who looked (once per person per day)."""
    today = timezone.localdate()
    if not warning.actions.filter(kind=WarningAction.Kind.VIEWED, actor=actor, at__date=today).exists():
        WarningAction.objects.create(warning=warning, kind=WarningAction.Kind.VIEWED, actor=actor)
