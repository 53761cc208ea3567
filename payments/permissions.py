"""Who may see the payment desk and who may pay: decided here, nowhere else (deny by default).

* the cashier (出纳) sees the desk and pays;
* the accountant (会计) and the supervisor (纪检监察/审计) read it and change nothing;
* an administrator (superuser) reads it;
* a cashier may not pay a case they applied for or approved (不相容岗位分离, GOV-03).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from approvals.models import StepAssignee
from org.models import Role

PAYING_ROLES = frozenset({Role.CASHIER})
READING_ROLES = frozenset({Role.CASHIER, Role.ACCOUNTANT, Role.SUPERVISOR})


def may_view_desk(user) -> bool:
    return bool(user and user.is_authenticated) and (user.is_superuser or user.has_role(*READING_ROLES))


def may_pay_at_all(user) -> bool:
    """A cashier who may write (a read-only person never pays, whatever else they hold)."""
    return may_view_desk(user) and user.has_role(*PAYING_ROLES) and not user.changes_nothing


def require_desk(user) -> None:
    if not may_view_desk(user):
        raise PermissionDenied(_("The payment desk is for the cashier, the accountant and the supervisor."))


def case_deciders(case) -> set[int]:
    """Everyone who approved a step of the case (themselves or as a stand-in)."""
    rows = StepAssignee.objects.filter(
        step__case=case, decision__in=[StepAssignee.Decision.APPROVED, StepAssignee.Decision.AUTO_PASSED]
    ).values_list("user_id", "decided_by_id")
    return {uid for pair in rows for uid in pair if uid}


def pay_refusal(user, case) -> str | None:
    """Why ``user`` may not pay ``case`` (None if they may): the one rule the desk shows and
    the service enforces."""
    if not may_pay_at_all(user):
        return _("Only a cashier pays.")
    if user.pk == case.applicant_id:
        return _("You applied for this case: the cashier who pays must be someone else (不相容岗位分离, GOV-03).")
    if user.pk in case_deciders(case):
        return _("You approved this case: the cashier who pays must be someone else (不相容岗位分离, GOV-03).")
    return None
