"""The budget kind of the chain view (``core.chain``): a budget line (预算指标), and the link
from a case to the line it is charged on. A line serves many matters, so it is a hub: the
page walks down from it only when it starts there."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.chain import FIG_BUDGET, ORDER_BUDGET, Detail, Kind, Node, register_kind, register_links

from .models import BudgetAdjustment, BudgetLine, CaseBudget
from .selectors import budget_scope


def _fetch(ids):
    return BudgetLine.objects.filter(pk__in=ids).select_related("unit")


def _describe(line: BudgetLine) -> Node:
    return Node(
        number=f"{line.functional_code} / {line.economic_code}", title=line.label,
        url=reverse("budget:line_detail", args=[line.pk]),
        state=_("In use") if line.is_active else _("Closed"), amount=line.amount,
        details=(Detail(_("Fund source"), line.get_fund_source_display()),
                 Detail(_("Control"), line.get_control_mode_display())),
        figures={FIG_BUDGET: line.amount},
    )


def _scope(user):
    try:
        return True, budget_scope(user)
    except PermissionDenied:
        return False, set()


def can_view(user, line: BudgetLine) -> bool:
    """As ``selectors.line_for_user``: the line's unit is in the person's budget scope."""
    allowed, scope = _scope(user)
    return allowed and (scope is None or line.unit_id in scope)


def _visible(user, lines) -> set[int]:
    allowed, scope = _scope(user)
    return {ln.pk for ln in lines if allowed and (scope is None or ln.unit_id in scope)}


def _case_to_line(cases):
    return ((case_id, "budget_line", line_id) for case_id, line_id in
            CaseBudget.objects.filter(case_id__in=[c.pk for c in cases]).values_list("case_id", "line_id"))


def _adjustment_lines(cases):
    """A budget adjustment form (预算调整) is linked to the line it changes and the line it moves to."""
    for case_id, line_id, to_line_id in BudgetAdjustment.objects.filter(case_id__in=[c.pk for c in cases]) \
            .values_list("case_id", "line_id", "to_line_id"):
        yield case_id, "budget_line", line_id
        if to_line_id:
            yield case_id, "budget_line", to_line_id


def _line_to_cases(lines):
    return ((line_id, "case", case_id) for line_id, case_id in
            CaseBudget.objects.filter(line_id__in=[ln.pk for ln in lines]).values_list("line_id", "case_id"))


KIND = Kind(key="budget_line", label=gettext_lazy("Budget line"), order=ORDER_BUDGET, fetch=_fetch,
            describe=_describe, can_view=can_view, visible=_visible, hub=True)


def register() -> None:
    register_kind(KIND)
    register_links("case", up=_case_to_line)
    register_links("case", up=_adjustment_lines)
    register_links("budget_line", down=_line_to_cases)
