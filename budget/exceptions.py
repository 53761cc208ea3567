"""Domain errors of the budget app. They are ``ApprovalError``s, so a budget hook that
raises one refuses the case transition with its message, shown to the person as is."""

from __future__ import annotations

from approvals.exceptions import ApprovalError


class BudgetError(ApprovalError):
    """A budget action that cannot be done; the message says why."""


class BudgetExceeded(BudgetError):
    """A hard-stop line has not enough available for the amount asked."""

    def __init__(self, message, *, line_id: int, available, asked):
        super().__init__(message, code="budget_exceeded")
        self.line_id = line_id
        self.available = available
        self.asked = asked


class BudgetImportError(BudgetError):
    """A budget file was refused as a whole; ``errors`` lists (row number or None, reason)."""

    def __init__(self, message, errors: list[tuple[int | None, str]]):
        super().__init__(message, code="import_rejected")
        self.errors = errors
