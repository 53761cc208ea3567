"""Server-side steps that set the scene for a browser scenario (what happened before the
person in the test sits down), through the same services the pages call."""

from __future__ import annotations

from approvals import services
from approvals.models import Case
from budget import services as budget_services
from budget.models import BudgetLine


def office_line(unit, economic_code: str = "30201") -> BudgetLine:
    """The unit's demo line of this year for an economic class (basic expenditure first)."""
    from django.utils import timezone

    return (
        BudgetLine.objects.filter(year=timezone.localdate().year, unit=unit, economic_code=economic_code)
        .order_by("id")
        .first()
    )


def file_case(*, matter, applicant, amount: str, title: str, line=None, submit: bool = True) -> Case:
    case = services.case_create(matter=matter, applicant=applicant, title=title, reason="工作需要", amount=amount)
    if matter.stages and matter.stages[0] == "budget":
        budget_services.case_budget_set(case=case, line=line or office_line(applicant.unit))
    if submit:
        services.case_submit(case=case, actor=applicant)
    case.refresh_from_db()
    return case


def holders(case) -> list:
    case.refresh_from_db()
    if not case.current_step_id:
        return []
    return [a.user for a in case.current_step.assignees.filter(round=case.round, decision="").select_related("user")]


def approve_until(case, kind: str) -> Case:
    """Approve step after step until the current step is of ``kind`` (e.g. "leader")."""
    for _ in range(12):
        case.refresh_from_db()
        if case.current_step is None or case.current_step.kind == kind:
            return case
        services.case_approve(case=case, actor=holders(case)[0], comment="同意。")
    raise AssertionError(f"no step of kind {kind} on the route of {case.number}")
