"""Acceptances a person is on the team of, in the one inbox (approvals.work)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals import work
from approvals.money import format_yuan

from .models import Acceptance

OPEN = (Acceptance.Status.DRAFT, Acceptance.Status.IN_APPROVAL)


def _open_for(user):
    return (Acceptance.objects.filter(members=user, status__in=OPEN)
            .exclude(case__applicant=user))  # the one who filed it sees it in their own work


def _items(user, limit: int) -> list[work.WorkItem]:
    rows = (_open_for(user).select_related("case__applicant", "case__unit", "contract__supplier")
            .order_by("accepted_on", "id")[:limit])
    statuses = dict(Acceptance.Status.choices)
    return [
        work.WorkItem(
            url=reverse("approvals:detail", args=[a.case_id]), number=a.case.number, title=a.case.title,
            what=_("Acceptance of %(contract)s (%(supplier)s): %(status)s") % {
                "contract": a.contract.number, "supplier": a.contract.supplier.name, "status": statuses[a.status]},
            applicant=a.case.applicant.get_full_name(), unit=a.case.unit.name,
            amount=format_yuan(a.case.amount), since=a.case.current_since or a.created_at, action=_("Open"),
        )
        for a in rows
    ]


def register() -> None:
    work.register(work.WorkSource(
        key="accept", label=gettext_lazy("Acceptance team"), order=50, icon="bi-clipboard-check",
        shown_to=lambda user: not user.changes_nothing, query=_open_for, items=_items,
    ))
