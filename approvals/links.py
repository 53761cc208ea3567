"""The approvals kind of the chain view (``core.chain``): a case (审批单), whatever matter it is.
The apps whose records a case carries link them to it (procurement: purchase, contracts:
contract, acceptance, payment, supplement; budget: the line it is charged on)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.chain import ORDER_CASE, Detail, Kind, Node, register_kind

from .models import Case
from .permissions import can_view_case, visible_cases


def _fetch(ids):
    return Case.objects.filter(pk__in=ids).select_related("matter", "unit", "applicant", "current_step")


def _describe(case: Case) -> Node:
    details = [Detail(_("Matter"), case.matter.name),
               Detail(_("Unit"), f"{case.unit.name} · {case.applicant.get_full_name()}")]
    if case.is_open and case.current_step_id:
        details.append(Detail(_("Now at"), case.current_step.name))
    return Node(
        number=case.number, title=case.title, url=reverse("approvals:detail", args=[case.pk]),
        state=case.get_status_display(), amount=case.amount, date=timezone.localdate(case.submitted_at or case.created_at),
        details=tuple(details), file_owners=(case,),
    )


def _visible(user, cases) -> set[int]:
    return set(visible_cases(user, Case.objects.filter(pk__in=[c.pk for c in cases])).values_list("pk", flat=True))


KIND = Kind(key="case", label=gettext_lazy("Approval forms"), order=ORDER_CASE, fetch=_fetch, describe=_describe,
            can_view=can_view_case, visible=_visible)


def register() -> None:
    register_kind(KIND)
