"""A route per stage (issue 11): each stage takes its own tiers, else the whole matter's."""

from decimal import Decimal

import pytest

from approvals.models import Matter, Policy, StepKind
from approvals.routing import select_policy

pytestmark = pytest.mark.django_db


def test_stage_takes_its_own_tier_by_its_amount_else_the_whole_matters(office, catalogue):
    matter = Matter.objects.get(code="CG-SQ")
    award = select_policy(matter, Decimal("8380"), "award")
    assert award.stage == "award" and award.min_amount == 0
    assert [s.kind for s in award.steps.all()] == [StepKind.FUNCTIONAL, StepKind.UNIT_HEAD]
    assert select_policy(matter, Decimal("60000"), "award").min_amount == Decimal("50000")
    # a stage without tiers of its own (here: none for "supplement" on this matter) takes the whole matter's
    whole = select_policy(matter, Decimal("8380"), "")
    assert whole.stage == "" and select_policy(matter, Decimal("8380"), "supplement") == whole


def test_small_purchase_chain_routes_need_at_most_eight_decisions(office, catalogue):
    matter = Matter.objects.get(code="CG-SQ")
    total = 0
    for stage in ["budget", "purchase", "award", "contract", "acceptance", "payment"]:
        policy = select_policy(matter, Decimal("8380"), stage)
        assert policy is not None and policy.stage == stage
        total += policy.steps.count()
    assert total <= 8
    assert Policy.objects.filter(stage="purchase", min_amount=0, steps__isnull=True).exists()
