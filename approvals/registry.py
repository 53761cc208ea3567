"""The interface through which business apps plug into the one form.

A business app (budget, procurement, contracts, ...) subclasses ``CaseSection`` and
registers an instance in its ``AppConfig.ready()``::

    from approvals.registry import CaseSection, register

    class BudgetSection(CaseSection):
        key = "budget"
        label = _("Budget line")
        form_class = BudgetSectionForm
        def on_submit(self, case, actor): ...

    register(BudgetSection())

A matter lists the section keys it needs in ``Matter.stages``; stage 0 is filled with the
header when the case is created; later stages are filled after the earlier stage is
approved, pre-filled from what came before (``initial``).

Every hook runs inside the transaction of the case transition that called it: raising
``ApprovalError`` aborts the whole transition with its message; nothing is half-saved.
``approvals`` itself imports no business app.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils.text import capfirst
from django.utils.translation import gettext

from .money import format_yuan

if TYPE_CHECKING:  # pragma: no cover
    from django import forms

    from .models import Case


class CaseSection:
    key: str = ""
    label: str = ""
    # A django Form class with __init__(self, *args, case, user, **kwargs); None if the
    # section has nothing to fill in.
    form_class: type[forms.Form] | None = None
    # Template showing the section's content on the case page (gets `section_context`).
    display_template: str | None = None
    # True if the section's stage decides/commits money (shown with the amount).
    money: bool = False
    # True if this stage may decide more than an earlier stage approved (a supplement raising
    # a contract): it is then routed at the tier of the new amount. Otherwise a higher amount
    # is refused at submission.
    amount_may_grow: bool = False

    # --- filling -------------------------------------------------------------------
    def initial(self, case: Case | None, user) -> dict[str, Any]:
        """Initial form values (pre-fill from earlier stages)."""
        return {}

    def save(self, case: Case, form, actor) -> None:
        """Persist the section's cleaned form data for the case."""

    def context(self, case: Case, user) -> dict[str, Any]:
        """What the display template needs."""
        return {}

    def check_amount(self, case: Case | None, amount, form_data: dict, user) -> list[dict]:
        """Live checks while filling (htmx): a list of {"level": "ok|warning|error", "text": ...}."""
        return []

    # --- routing ---------------------------------------------------------------------
    def stage_amount(self, case: Case):
        """The amount this stage decides (estimate, award, contract, supplement's new total,
        payment): its tier is chosen by it. None: the amount the previous stage approved, or
        the header's amount for the first stage."""
        return None

    def approvers(self, case: Case) -> list:
        """The people a step "named by the stage" goes to (e.g. the acceptance team)."""
        return []

    def chain_case_ids(self, case: Case) -> list[int]:
        """Ids of the other cases of the same chain (the payments and supplements of this
        case's contract), so the case page can count the decisions the whole chain took."""
        return []

    def on_stage_amount(self, case: Case, amount, actor) -> None:
        """A later stage of the case was submitted deciding ``amount``: a section of an
        earlier stage that holds money for the case (the budget reservation) follows it."""

    # --- transitions (inside the transition's transaction) ----------------------------
    def validate_submit(self, case: Case, actor) -> list[str]:
        """Raise ApprovalError to refuse a submission; return warnings to record."""
        return []

    def on_submit(self, case: Case, actor) -> None:
        """The case (this section's stage) was submitted or resubmitted."""

    def on_approved(self, case: Case, actor) -> None:
        """The stage was finally approved."""

    def on_rejected(self, case: Case, actor) -> None:
        """The case was rejected (final)."""

    def on_returned(self, case: Case, actor) -> None:
        """The case was returned to the applicant (it may come back)."""

    def on_withdrawn(self, case: Case, actor) -> None:
        """The applicant withdrew the case (final)."""

    # --- the trail -------------------------------------------------------------------
    def snapshot(self, case: Case) -> dict | None:
        """The section's content at this moment, JSON-safe, kept in every trail entry of the
        case (approvals.trail); None when the section has nothing of its own to record."""
        return None

    def describe(self, snapshot: dict) -> list[tuple[str, str]]:
        """A snapshot of this section as people read it: (label, value) pairs in the office's
        language — money as ¥1,234.00, choices by their labels, records by their names — for
        what changed between two submissions (the resubmission card: 上一轮 | 本轮). Reads
        nothing from the database (the case page runs a fixed number of queries): what it names
        must be recorded in the snapshot. Leave out what the system sets (statuses). The
        default lists each key with its value as recorded."""
        return [(str(key), plain_value(value)) for key, value in snapshot.items()]


# --- helpers for a section's describe() --------------------------------------------------
def field_label(model, name: str) -> str:
    """A model field's name as people read it (its verbose name, in the active language)."""
    return str(capfirst(model._meta.get_field(name).verbose_name))


def choice_label(model, name: str, value) -> str:
    """A recorded choice by its label (a value no longer among the choices shows as recorded)."""
    if value in (None, ""):
        return ""
    return str(dict(model._meta.get_field(name).flatchoices).get(value, value))


def money_text(value) -> str:
    """A recorded amount ("1234.5") as ¥1,234.50; nothing as an empty string."""
    if value in (None, "", "None"):
        return ""
    try:
        return format_yuan(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


def plain_value(value) -> str:
    """A recorded value as one line of text: lists joined with 、, nothing as an empty string."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "、".join(filter(None, (plain_value(v) for v in value)))
    if isinstance(value, dict):
        return "，".join(f"{k}：{plain_value(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    return str(value)


_SECTIONS: dict[str, CaseSection] = {}
# The hooks the engine calls: a section overriding anything else has a typo in a hook's name.
HOOKS = frozenset(
    name for name, value in vars(CaseSection).items() if not name.startswith("_") and callable(value)
) | {"key", "label", "form_class", "display_template", "money", "amount_may_grow"}


def register(section: CaseSection) -> CaseSection:
    """Plug a section in (from the owning app's ``AppConfig.ready()``). Refuses a section
    without a key, a key taken by another app, and a public member the engine does not call
    (``on_approve`` for ``on_approved`` would otherwise never run)."""
    if not isinstance(section, CaseSection):
        raise TypeError(f"{section!r} is not a CaseSection")
    if not section.key:
        raise ValueError("a section needs a key")
    taken = _SECTIONS.get(section.key)
    if taken is not None and type(taken) is not type(section):
        raise ValueError(f"stage key {section.key!r} is already registered by {type(taken).__module__}")
    unknown = {
        name for cls in type(section).__mro__ if cls not in (CaseSection, object)
        for name in vars(cls) if not name.startswith("_") and name not in HOOKS
    }
    if unknown:
        raise TypeError(f"{type(section).__name__} defines {sorted(unknown)}, which the engine never calls; "
                        "make them private (_name) or use a declared hook")
    _SECTIONS[section.key] = section
    return section


def get(key: str) -> CaseSection | None:
    return _SECTIONS.get(key)


def unknown_stages(stages) -> list[str]:
    """The keys of ``stages`` no app registered (a matter naming one would drop that control)."""
    return [key for key in stages if key not in _SECTIONS]


def all_sections() -> dict[str, CaseSection]:
    return dict(_SECTIONS)


def sections_for(case: Case) -> list[CaseSection]:
    """Every registered section of the matter's stages up to and including the current one."""
    keys = case.stage_list[: case.stage + 1]
    return [_SECTIONS[k] for k in keys if k in _SECTIONS]


def current_section(case: Case) -> CaseSection | None:
    key = case.stage_key
    return _SECTIONS.get(key) if key else None


def stage_labels(keys) -> str:
    """The stages as people read them: "预算指标 → 采购 → 合同" (an unregistered key shows as is)."""
    return " → ".join(str(_SECTIONS[k].label) if k in _SECTIONS else k for k in keys)
