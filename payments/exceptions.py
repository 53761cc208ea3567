"""Domain errors of the payments app. Their message is shown to the person as is."""

from approvals.exceptions import ApprovalError


class PaymentError(ApprovalError):
    """A payment that cannot be made; the message says why."""


class InvalidPaymentStatus(PaymentError):
    """A transition asked from a state that does not allow it."""
