"""Domain errors of procurement. They are ``ApprovalError``s, so a section hook that raises
one refuses the case transition with its message, shown to the person as is."""

from __future__ import annotations

from approvals.exceptions import ApprovalError
from core.transitions import InvalidTransition


class ProcurementError(ApprovalError):
    """A procurement action that cannot be done; the message names the rule."""


class InvalidProcurementStatus(ProcurementError, InvalidTransition):
    """A purchase or award asked to move to a status its current one does not allow (``transition``)."""
