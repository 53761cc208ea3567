"""Budget arithmetic (hypothesis, stateful): whatever sequence of reservations, changed
amounts, releases, arrangements, commitments, payments, commitment releases and approved
decreases runs through ``budget/services.py`` on a hard-stop line, the line's available
amount never goes below zero, no case holds a negative reservation and no source a negative
commitment. A refused step raises a budget error and writes nothing."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from django.utils import timezone

from approvals import demo as approvals_demo
from approvals.models import Case, Matter
from budget import selectors, services
from budget.exceptions import BudgetError
from budget.models import BudgetLine, BudgetMovement, ControlMode

pytestmark = pytest.mark.django_db

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("60000"), places=2, allow_nan=False, allow_infinity=False)
_numbers = itertools.count(1)


class HardLine(RuleBasedStateMachine):
    office = None  # set by the test

    cases = Bundle("cases")

    @initialize(amount=st.decimals(min_value=Decimal("1000"), max_value=Decimal("100000"), places=2))
    def open_line(self, amount):
        o = self.office
        self.year = timezone.localdate().year
        self.line = services.budget_line_create(
            year=self.year, unit=o.unit, project=f"属性测试{next(_numbers)}", functional_code="2010301", functional_name="行政运行",
            economic_code="30201", economic_name="办公费", amount=amount, control_mode=ControlMode.HARD,
        )
        self.spend = Matter.objects.get(code="CW-SQSP")
        self.adjust = Matter.objects.get(code="CW-YSTZ")

    def _case(self, matter, amount) -> Case:
        n = next(_numbers)
        return Case.objects.create(number=f"XQ-P-{n:06d}", year=self.year, matter=matter, category=matter.category,
                                   unit=self.office.unit, applicant=self.office.clerk, title=f"属性{n}", amount=amount)

    def _attempt(self, fn):
        """Run one step; a refusal must be a budget error and leave the ledger as it was."""
        rows = BudgetMovement.objects.count()
        try:
            fn()
            event("accepted")
        except BudgetError:
            event("refused")
            assert BudgetMovement.objects.count() == rows, "a refused step wrote ledger rows"

    @rule(target=cases, amount=money)
    def submit(self, amount):
        case = self._case(self.spend, amount)
        services.case_budget_set(case=case, line=self.line)
        self._attempt(lambda: services.case_budget_reserve(case=case, actor=self.office.clerk))
        return case

    @rule(case=cases, amount=money)
    def resubmit_with_another_amount(self, case, amount):
        Case.objects.filter(pk=case.pk).update(amount=amount)
        case.refresh_from_db()
        self._attempt(lambda: services.case_budget_reserve(case=case, actor=self.office.clerk))

    @rule(case=cases)
    def approve(self, case):
        self._attempt(lambda: services.case_budget_arrange(case=case, actor=self.office.head))

    @rule(case=cases)
    def reject_or_withdraw(self, case):
        self._attempt(lambda: services.case_budget_release(case=case, actor=self.office.head))

    @rule(case=cases, amount=money)
    def commit(self, case, amount):  # a contract of the case (the case stands in for it as source)
        self._attempt(lambda: services.budget_commit(line=self.line, amount=amount, source=case, case=case))

    @rule(case=cases, amount=money, against_commitment=st.booleans(), of_case=st.booleans())
    def pay(self, case, amount, against_commitment, of_case):
        self._attempt(lambda: services.budget_execute(
            line=self.line, amount=amount, source=case, commitment=case if against_commitment else None,
            case=case if of_case else None))

    @rule(case=cases, amount=st.one_of(st.none(), money))
    def release_commitment(self, case, amount):
        self._attempt(lambda: services.budget_commit_release(source=case, amount=amount))

    @rule(amount=money)
    def approved_decrease(self, amount):
        case = self._case(self.adjust, amount)

        def run():
            services.budget_adjustment_set(case=case, kind="decrease", line=self.line)
            services.budget_adjustment_submit(case=case, actor=self.office.clerk)
            services.budget_adjustment_apply(case=case, actor=self.office.head)

        self._attempt(run)

    @invariant()
    def available_never_below_zero(self):
        if not hasattr(self, "line"):
            return
        figures = selectors.line_figures(BudgetLine.objects.get(pk=self.line.pk))
        assert figures.available >= 0, figures
        assert figures.in_approval >= 0 and figures.arranged >= 0 and figures.contracted >= 0

    @invariant()
    def no_negative_holdings(self):
        if not hasattr(self, "line"):
            return
        from django.db.models import Sum

        rows = (BudgetMovement.objects.filter(line=self.line, kind__in=["reserve", "release"])
                .values("case_id", "stage").annotate(t=Sum("amount")))
        assert all(r["t"] >= 0 for r in rows), list(rows)
        commits = BudgetMovement.objects.filter(line=self.line, kind="commit").values("source_id").annotate(t=Sum("amount"))
        assert all(r["t"] >= 0 for r in commits), list(commits)


def test_a_hard_line_is_never_overdrawn(office):
    approvals_demo.seed()
    from budget.demo import _ensure_adjustment_matter

    _ensure_adjustment_matter()
    HardLine.office = office
    run_state_machine_as_test(
        HardLine,
        settings=settings(max_examples=25, stateful_step_count=25, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]),
    )
