"""Domain errors of contracts and payments. They are ``ApprovalError``s, so a section hook
that raises one refuses the case transition with its message, shown to the person as is."""

from __future__ import annotations

from approvals.exceptions import ApprovalError
from core.transitions import InvalidTransition


class ContractError(ApprovalError):
    """A contract, acceptance or payment action that cannot be done; the message names the rule."""


class InvalidContractStatus(ContractError, InvalidTransition):
    """A contract, supplement, acceptance or contract payment asked to move to a status its
    current one does not allow (``transition``)."""
