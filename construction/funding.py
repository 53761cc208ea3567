"""Budget control follows the project (预算控制跟随项目): the project's funding lines in the
budget ledger (``budget.services``; one ledger, the rows carry the initiation case).

The rule (no double counting):
1. When the 概算 is approved, the project's case arranges each funding line's amount on its
   line (reserve, stage arranged) — the money is no longer available to other forms.
2. A contract linked to the project commits its own amount on its own budget line through the
   contracts module (its purchase case's reservation converted into the commitment). So at
   the link the project releases, on the contract's line, what the contract commits there (at
   most what the project still holds on it): the money moves from "reserved by the project"
   to "committed by the contract", never counted twice.
3. Progress payments are executed by the payment desk on the contract's line using the
   contract's commitment (``payables._budget``): committed → executed, again once.
4. A cancelled project, or a closed one (final accounts approved), releases what it still holds.

Lock order: the project row (caller), then the contract (caller), then budget lines by id.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from budget import selectors as budget_selectors
from budget import services as budget_services

ZERO = Decimal("0")


def arrange(project, *, actor=None) -> list[str]:
    """Step 1: the approved 概算 arranges the funding on its lines."""
    amounts = {f.budget_line: f.amount for f in project.funding.select_related("budget_line__unit")}
    return budget_services.case_lines_arrange(case=project.case, amounts=amounts, actor=actor,
                                              note=_("Arranged by the approved 概算 of project %(number)s")
                                              % {"number": project.number})


def contract_linked(project, contract, *, actor=None) -> Decimal:
    """Step 2: the project's reservation on the contract's line gives way to its commitment."""
    if not contract.budget_line_id:
        return ZERO
    ct = ContentType.objects.get_for_model(contract, for_concrete_model=False)
    committed = budget_selectors.source_commitments(ct.pk, contract.pk).get(contract.budget_line_id, ZERO)
    if committed <= 0:
        return ZERO
    return budget_services.case_line_release(
        case=project.case, line=contract.budget_line, amount=committed, actor=actor,
        note=_("Released: contract %(number)s commits it") % {"number": contract.number})


def release(project, *, actor=None, note: str) -> Decimal:
    """Step 4: what the project still holds goes back to its lines."""
    return budget_services.case_lines_release(case=project.case, actor=actor, note=note)
