"""Domain errors of the approvals app. Their message is shown to the person as is."""


class ApprovalError(Exception):
    """An action that cannot be done; the message says why, in the user's language."""

    def __init__(self, message, *, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return str(self.message)


class StaleAction(ApprovalError):
    """The case moved on since the page was loaded (double click, two approvers at once)."""


class RouteUnresolved(ApprovalError):
    """A step of the route resolves to nobody: never skipped silently."""
