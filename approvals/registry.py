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

from typing import TYPE_CHECKING, Any

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

    def links(self, case: Case, user) -> list[dict]:
        """Related records for the chain view: [{"label":..., "url":..., "text":...}]."""
        return []


_SECTIONS: dict[str, CaseSection] = {}


def register(section: CaseSection) -> CaseSection:
    if not section.key:
        raise ValueError("a section needs a key")
    _SECTIONS[section.key] = section
    return section


def unregister(key: str) -> None:
    _SECTIONS.pop(key, None)


def get(key: str) -> CaseSection | None:
    return _SECTIONS.get(key)


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


def stage_sections_for_matter(matter) -> list[CaseSection]:
    return [_SECTIONS[k] for k in matter.stages if k in _SECTIONS]
