"""The cashier's queue in the one inbox (approvals.work): approved cases with money left to pay."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals import work
from approvals.money import format_yuan

from . import permissions, selectors


def _count(user) -> int:
    return len(selectors.desk_rows())


def _items(user, limit: int) -> list[work.WorkItem]:
    items = []
    for row in selectors.desk_rows()[:limit]:
        c = row.case
        items.append(work.WorkItem(
            url=reverse("payments:case", args=[c.pk]), number=c.number, title=c.title,
            what=_("To pay: %(left)s left") % {"left": format_yuan(row.left)},
            applicant=c.applicant.get_full_name(), unit=c.unit.name, amount=format_yuan(row.cap),
            since=c.finished_at, action=_("Pay"),
        ))
    return items


def register() -> None:
    work.register(work.WorkSource(
        key="pay", label=gettext_lazy("To pay"), order=40, icon="bi-cash-coin",
        shown_to=permissions.may_pay_at_all, count=_count, items=_items,
    ))
