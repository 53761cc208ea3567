"""The budget app's sections of the one form (see ``approvals.registry``).

* ``budget`` — the line a spending case spends from; its amount is reserved on submission,
  arranged on approval, released on rejection or withdrawal (a return keeps it).
* ``budget_adjustment`` — 追加 / 调减 / 调剂, applied to the lines when the case is approved.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.money import try_parse_amount
from approvals.money import format_yuan
from approvals.registry import CaseSection, choice_label, field_label
from core.stages import Stage

from . import selectors, services
from .forms import BudgetAdjustmentForm, BudgetSectionForm
from .models import BudgetAdjustment, BudgetLine, BudgetMovement, CaseBudget, ControlMode


def _form_value(form_data: dict, name: str):
    """A field's value from posted data, with or without a form prefix."""
    if not form_data:
        return None
    if name in form_data:
        return form_data.get(name)
    for key in form_data:
        if key.endswith(f"-{name}"):
            return form_data.get(key)
    return None


def _amount(value) -> Decimal | None:
    return try_parse_amount(value, allow_zero=True, allow_negative=True)


def _line(value, user) -> BudgetLine | None:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    line = BudgetLine.objects.select_related("unit").filter(pk=pk).first()
    if line is None or user is None:
        return line
    try:
        scope = selectors.budget_scope(user)
    except PermissionDenied:
        return None
    # never tell anyone the figures of a line they may not read
    return line if scope is None or line.unit_id in scope else None


class BudgetSection(CaseSection):
    key = Stage.BUDGET
    label = gettext_lazy("Budget line")
    form_class = BudgetSectionForm
    display_template = "budget/_case_section.html"
    money = True

    def initial(self, case, user):
        link = CaseBudget.objects.filter(case=case).first() if case is not None else None
        return {"line": link.line_id} if link else {}

    def save(self, case, form, actor):
        services.case_budget_set(case=case, line=form.cleaned_data["line"])

    def context(self, case, user):
        link = CaseBudget.objects.select_related("line__unit").filter(case=case).first()
        if link is None:
            return {"link": None}
        movements = (
            BudgetMovement.objects.filter(case=case).select_related("line__unit", "actor").order_by("id")
        )
        return {
            "link": link,
            "line": link.line,
            "figures": selectors.line_figures(link.line),
            "movements": movements,
        }

    def check_amount(self, case, amount, form_data, user):
        amount = _amount(amount)
        line = _line(_form_value(form_data, "line"), user)
        if line is None and case is not None:
            link = CaseBudget.objects.select_related("line__unit").filter(case=case).first()
            line = link.line if link else None
        if line is None:
            return [{"level": "warning", "text": _("Choose the budget line this form spends from.")}]
        figures = selectors.line_figures(line)
        available = figures.available
        if case is not None:
            # what the case already holds on the line counts as its own
            available += sum(
                (t for (lid, _s), t in selectors.case_reservations(case).items() if lid == line.pk), Decimal("0")
            )
        if amount is None or amount <= 0:
            return [{"level": "ok", "text": _("Available on “%(line)s”: %(available)s.")
                     % {"line": line, "available": format_yuan(available)}}]
        if amount <= available:
            return [{"level": "ok", "text": _("Available on “%(line)s”: %(available)s; after this form %(rest)s.")
                     % {"line": line, "available": format_yuan(available), "rest": format_yuan(available - amount)}}]
        params = {"line": line, "available": format_yuan(available), "asked": format_yuan(amount),
                  "short": format_yuan(amount - available)}
        if line.control_mode == ControlMode.HARD:
            return [{"level": "error", "text": _(
                "Only %(available)s is available on “%(line)s”; %(asked)s is %(short)s too much. "
                "The line is under hard control: the form cannot be submitted.") % params}]
        if line.control_mode == ControlMode.WARN:
            return [{"level": "warning", "text": _(
                "Only %(available)s is available on “%(line)s”; %(asked)s is %(short)s over budget. "
                "The form can be submitted and the overrun is recorded.") % params}]
        return [{"level": "ok", "text": _("“%(line)s” is not budget-controlled.") % {"line": line}}]

    def validate_submit(self, case, actor):
        return services.case_budget_check(case=case)

    def on_submit(self, case, actor):
        services.case_budget_reserve(case=case, actor=actor)

    def on_approved(self, case, actor):
        services.case_budget_arrange(case=case, actor=actor)

    def on_rejected(self, case, actor):
        services.case_budget_release(case=case, actor=actor, note=_("Released: the form was rejected"))

    def on_withdrawn(self, case, actor):
        services.case_budget_release(case=case, actor=actor, note=_("Released: the form was withdrawn"))

    def on_returned(self, case, actor):
        """A returned form keeps its reservation until it is withdrawn or resubmitted."""

    def on_stage_amount(self, case, amount, actor):
        """A later stage decided ``amount`` (the award, the contract): the reservation follows."""
        services.case_budget_follow(case=case, amount=amount, actor=actor)

    def snapshot(self, case):
        link = CaseBudget.objects.select_related("line__unit").filter(case=case).first()
        if link is None:
            return None
        return {"line": link.line_id, "line_name": link.line.label}

    def describe(self, snapshot):
        return [(field_label(CaseBudget, "line"), snapshot.get("line_name") or f"#{snapshot.get('line')}")]


class BudgetAdjustmentSection(CaseSection):
    key = Stage.BUDGET_ADJUSTMENT
    label = gettext_lazy("Budget adjustment")
    form_class = BudgetAdjustmentForm
    display_template = "budget/_adjustment_section.html"
    money = True

    def initial(self, case, user):
        adj = BudgetAdjustment.objects.filter(case=case).first() if case is not None else None
        return {"kind": adj.kind, "line": adj.line_id, "to_line": adj.to_line_id} if adj else {}

    def save(self, case, form, actor):
        data = form.cleaned_data
        services.budget_adjustment_set(case=case, kind=data["kind"], line=data["line"], to_line=data.get("to_line"))

    def context(self, case, user):
        adj = BudgetAdjustment.objects.select_related("line__unit", "to_line__unit").filter(case=case).first()
        if adj is None:
            return {"adjustment": None}
        return {
            "adjustment": adj,
            "line_figures": selectors.line_figures(adj.line),
            "to_line_figures": selectors.line_figures(adj.to_line) if adj.to_line_id else None,
            "movements": BudgetMovement.objects.filter(case=case).select_related("line__unit").order_by("id"),
        }

    def check_amount(self, case, amount, form_data, user):
        amount = _amount(amount)
        kind = _form_value(form_data, "kind")
        line = _line(_form_value(form_data, "line"), user)
        if line is None:
            return [{"level": "warning", "text": _("Choose the budget line.")}]
        if kind == BudgetAdjustment.Kind.INCREASE or amount is None or amount <= 0:
            return [{"level": "ok", "text": _("Available on “%(line)s”: %(available)s.")
                     % {"line": line, "available": format_yuan(selectors.line_figures(line).available)}}]
        available = selectors.line_figures(line).available
        if case is not None:
            available += sum(
                (t for (lid, _s), t in selectors.case_reservations(case).items() if lid == line.pk), Decimal("0")
            )
        if amount > available:
            return [{"level": "error", "text": _("Only %(available)s is available on “%(line)s”; %(asked)s cannot be taken from it.")
                     % {"line": line, "available": format_yuan(available), "asked": format_yuan(amount)}}]
        return [{"level": "ok", "text": _("Available on “%(line)s”: %(available)s; after this adjustment %(rest)s.")
                 % {"line": line, "available": format_yuan(available), "rest": format_yuan(available - amount)}}]

    def validate_submit(self, case, actor):
        return []

    def on_submit(self, case, actor):
        services.budget_adjustment_submit(case=case, actor=actor)

    def on_approved(self, case, actor):
        services.budget_adjustment_apply(case=case, actor=actor)

    def on_rejected(self, case, actor):
        services.budget_adjustment_release(case=case, actor=actor)

    def on_withdrawn(self, case, actor):
        services.budget_adjustment_release(case=case, actor=actor)

    def snapshot(self, case):
        adj = BudgetAdjustment.objects.select_related("line__unit", "to_line__unit").filter(case=case).first()
        if adj is None:
            return None
        return {"kind": adj.kind, "line": adj.line_id, "line_name": adj.line.label,
                "to_line": adj.to_line_id, "to_line_name": adj.to_line.label if adj.to_line_id else ""}

    def describe(self, snapshot):
        return [
            (field_label(BudgetAdjustment, "kind"), choice_label(BudgetAdjustment, "kind", snapshot.get("kind"))),
            (field_label(BudgetAdjustment, "line"), snapshot.get("line_name") or ""),
            (field_label(BudgetAdjustment, "to_line"), snapshot.get("to_line_name") or ""),
        ]
