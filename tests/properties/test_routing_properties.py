"""Routing, for any amount and any applicant (hypothesis):

* the route is the policy tier that covers the amount — the tier whose start is the largest
  at or below it — step for step, in order;
* nobody on the route is the applicant: a step only the applicant holds is recorded as
  skipped, never given to them, and the form can be approved to the end by others;
* with tiers generated at random (starts, steps), the same holds for every amount,
  including the exact tier boundaries.

The office is the small office of tests/conftest.py with the seeded default policies."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from approvals import demo as approvals_demo
from approvals import services
from approvals.models import Action, Case, Category, Matter, Policy, PolicyStep, RouteStep, StepAssignee, StepKind
from approvals.routing import resolve_route, select_policy

pytestmark = pytest.mark.django_db

PROPERTY = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
MAX = Decimal("99999999.99")
amounts = st.decimals(min_value=Decimal("0.01"), max_value=MAX, places=2, allow_nan=False, allow_infinity=False)
# amounts near the default tier boundaries are where mistakes live
near_boundaries = st.sampled_from(["10000", "50000", "300000"]).flatmap(
    lambda b: st.integers(-2, 2).map(lambda d: Decimal(b) + Decimal(d) / 100)
)
_codes = itertools.count(1)


@pytest.fixture
def routed(office):
    """Applicants from every kind of unit and position that files forms (not the leadership,
    whose forms have no unit head to route to, nor the supervisor, who reads everything and
    files nothing), and a spending matter without business sections (the budget section is
    proven by the budget tests)."""
    approvals_demo.seed()
    matter = Matter.objects.create(code="P-ZC", name="属性测试支出", category=Category.FINANCE, spends_money=True,
                                   amount_required=True, stages=[])
    people = [office.clerk, office.clerk2, office.community_clerk, office.head, office.community_head,
              office.heads["czb"], office.heads["dzb"], office.heads["cgzx"], office.finance_reviewer,
              office.accountant, office.cashier, office.admin]
    assert not any(p.changes_nothing for p in people)
    return matter, people


def _tier_end(policy: Policy):
    return policy.upper_bound()


@PROPERTY
@given(data=st.data(), amount=st.one_of(amounts, near_boundaries))
def test_a_submitted_form_follows_the_tier_of_its_amount_and_never_its_applicant(routed, data, amount):
    matter, people = routed
    applicant = data.draw(st.sampled_from(people), label="applicant")
    case = services.case_create(matter=matter, applicant=applicant, title="属性测试", amount=amount)
    services.case_submit(case=case, actor=applicant)
    case.refresh_from_db()

    tier = case.policy
    end = _tier_end(tier)
    assert tier.min_amount <= amount and (end is None or amount < end), (amount, tier.min_amount, end)
    steps = list(RouteStep.objects.filter(case=case).order_by("order"))
    assert [s.kind for s in steps] == [s.kind for s in tier.steps.order_by("order")]

    holders = StepAssignee.objects.filter(step__case=case)
    assert not holders.filter(user=applicant).exists(), "the applicant holds a step of their own form"
    for step in steps:
        if step.status == RouteStep.Status.CANCELLED:  # only the applicant held it: recorded, skipped
            assert not step.assignees.exists()
            assert Action.objects.filter(case=case, step=step, kind=Action.Kind.AUTO_PASS).exists()
    first_open = next(s for s in steps if s.status != RouteStep.Status.CANCELLED)
    assert case.current_step_id == first_open.pk or first_open.status == RouteStep.Status.AUTO_PASSED

    # and it can be decided to the end by others
    for _ in range(len(steps) + 1):
        case.refresh_from_db()
        if case.status != Case.Status.IN_PROGRESS:
            break
        waiting = case.current_step.assignees.filter(round=case.round, decision="").select_related("user")
        decider = waiting.first().user
        assert decider.pk != applicant.pk
        extra = {}
        if case.current_step.kind == StepKind.COLLECTIVE:
            from django.utils import timezone

            extra = {"meeting_date": timezone.localdate(), "meeting_name": "党工委会议", "minutes": _minutes()}
        services.case_approve(case=case, actor=decider, comment="同意。", **extra)
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED
    assert not Action.objects.filter(case=case, kind=Action.Kind.APPROVE, actor=applicant).exists()


def _minutes() -> dict:
    """The meeting minutes, stored as the decision view stores them."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents.checks import check_upload

    f = SimpleUploadedFile("会议纪要.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    return services.store_upload(f, check_upload(f))


STEP_KINDS = [StepKind.UNIT_HEAD, StepKind.FINANCE_REVIEW, StepKind.LEADER_IN_CHARGE, StepKind.FINANCE_LEADER,
              StepKind.PRINCIPAL, StepKind.FUNCTIONAL]
tiers = st.lists(
    st.tuples(
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000000"), places=2, allow_nan=False, allow_infinity=False),
        st.lists(st.sampled_from(STEP_KINDS), min_size=1, max_size=5, unique=True),
    ),
    min_size=0, max_size=5, unique_by=lambda t: t[0],
)


@PROPERTY
@given(data=st.data(), upper=tiers, base=st.lists(st.sampled_from(STEP_KINDS), min_size=1, max_size=5, unique=True))
def test_generated_tiers_route_every_amount_to_its_own_tier(routed, data, upper, base):
    _matter, people = routed
    matter = Matter.objects.create(code=f"P-G{next(_codes)}", name="生成的事项", category=Category.FINANCE,
                                   spends_money=True, amount_required=True, stages=[], functional_field="money")
    starts = [(Decimal("0"), base), *sorted(upper)]
    for start, kinds in starts:
        policy = Policy.objects.create(name=f"档{start}", matter=matter, min_amount=start)
        PolicyStep.objects.bulk_create([PolicyStep(policy=policy, order=i, kind=k) for i, k in enumerate(kinds, 1)])
    boundaries = [s for s, _k in starts if s > 0]
    probe = st.one_of(amounts, st.sampled_from(boundaries) if boundaries else amounts,
                      st.sampled_from(boundaries).map(lambda b: b - Decimal("0.01")) if boundaries else amounts)
    for _ in range(5):
        amount = data.draw(probe, label="amount")
        assume(amount > 0)
        applicant = data.draw(st.sampled_from(people), label="applicant")
        expected_start, expected_kinds = max((s for s in starts if s[0] <= amount), key=lambda s: s[0])
        policy = select_policy(matter, amount)
        assert policy.min_amount == expected_start, (amount, policy.min_amount, expected_start)
        chosen, steps = resolve_route(matter=matter, unit=applicant.unit, applicant=applicant, amount=amount)
        assert chosen == policy
        assert [s.kind for s in steps] == list(expected_kinds)
        for s in steps:
            assert applicant not in s.users, (s.kind, applicant.username)
            assert s.users or s.skipped_applicant or s.error, s  # never a silent empty step
