"""Domain errors of the payments app. Their message is shown to the person as is."""

from approvals.exceptions import ApprovalError
from core.transitions import InvalidTransition


class PaymentError(ApprovalError):
    """A payment that cannot be made; the message says why."""


class InvalidPaymentStatus(PaymentError, InvalidTransition):
    """A transition asked from a state that does not allow it (``Payment.transition``)."""
