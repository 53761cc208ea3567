"""Is every approval whole? Run against a database after a fault (``python -m
tests.faults.consistency`` with DATABASE_URL set); prints one JSON object:

* ``trail`` — the hash chain recomputed (``approvals.trail.verify_chain``);
* ``problems`` — every inconsistency between decisions, route steps, cases, the trail and
  the budget ledger: a decision without its trail entry or the other way round, a case whose
  current step is not the active one, steps after it already decided, an approved case with
  open steps or without its closing entry, a reservation that is not the case's amount.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path


def check() -> dict:
    from django.db.models import Sum

    from approvals.models import Action, Case, RouteStep, StepAssignee
    from approvals.trail import verify_chain
    from budget.models import BudgetMovement, CaseBudget

    problems: list[str] = []
    checked, broken = verify_chain()

    decided = Counter(
        StepAssignee.objects.filter(decision=StepAssignee.Decision.APPROVED).values_list("step_id", "decided_by_id")
    )
    recorded = Counter(Action.objects.filter(kind=Action.Kind.APPROVE).values_list("step_id", "actor_id"))
    for key in set(decided) | set(recorded):
        if decided[key] != recorded[key]:
            problems.append(f"step {key[0]} by user {key[1]}: {decided[key]} decision(s), {recorded[key]} trail entr(ies)")

    for case in Case.objects.select_related("current_step"):
        steps = list(RouteStep.objects.filter(case=case, stage=case.stage, version=case.route_version).order_by("order"))
        if case.status == Case.Status.IN_PROGRESS:
            cur = case.current_step
            if cur is None or cur.status != RouteStep.Status.ACTIVE:
                problems.append(f"{case.number}: in approval but its current step is {cur and cur.status}")
                continue
            for st in steps:
                if st.order < cur.order and st.status not in ("approved", "auto_passed", "cancelled"):
                    problems.append(f"{case.number}: step {st.order} before the current one is {st.status}")
                if st.order > cur.order and st.status != "pending":
                    problems.append(f"{case.number}: step {st.order} after the current one is {st.status}")
                if st.pk != cur.pk and st.status == "active":
                    problems.append(f"{case.number}: two active steps")
            waiting = StepAssignee.objects.filter(step=cur, round=case.round, decision="").count()
            if not waiting:
                problems.append(f"{case.number}: nobody waits at its current step")
        elif case.status == Case.Status.APPROVED:
            if any(st.status in ("pending", "active") for st in steps):
                problems.append(f"{case.number}: approved with open steps")
            if not Action.objects.filter(case=case, kind=Action.Kind.FINISH).exists():
                problems.append(f"{case.number}: approved without its closing trail entry")
        approvals = Action.objects.filter(case=case, kind=Action.Kind.APPROVE).count()
        approved_steps = StepAssignee.objects.filter(step__case=case, decision="approved").count()
        if approvals != approved_steps:
            problems.append(f"{case.number}: {approvals} approvals in the trail, {approved_steps} decisions")

    for link in CaseBudget.objects.select_related("case"):
        rows = BudgetMovement.objects.filter(case=link.case, kind__in=["reserve", "release"])
        pending = rows.filter(stage="pending").aggregate(t=Sum("amount"))["t"] or Decimal("0")
        arranged = rows.filter(stage="arranged").aggregate(t=Sum("amount"))["t"] or Decimal("0")
        amount = link.case.amount
        expected = {"reserved": (amount, Decimal("0")), "arranged": (Decimal("0"), amount),
                    "released": (Decimal("0"), Decimal("0")), "draft": (Decimal("0"), Decimal("0"))}[link.state]
        if (pending, arranged) != expected:
            problems.append(f"{link.case.number}: budget {link.state} but pending {pending}, arranged {arranged}")
        if link.state == "arranged" and link.case.status != Case.Status.APPROVED:
            problems.append(f"{link.case.number}: budget arranged but the case is {link.case.status}")

    statuses = Counter(Case.objects.values_list("status", flat=True))
    return {
        "trail": {"checked": checked, "broken": broken},
        "problems": problems,
        "cases": dict(statuses),
        "approvals": Action.objects.filter(kind=Action.Kind.APPROVE).count(),
    }


def main() -> None:
    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "neiqiao.settings")
    import django

    django.setup()
    print(json.dumps(check(), ensure_ascii=False))


if __name__ == "__main__":
    main()
