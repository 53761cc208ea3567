"""Each stage routes by the amount it decides and cannot outgrow its approval (issue 11, item 2),
for any sequence of stage amounts (hypothesis) through the real services:

* the estimate (purchase budget) routes the request; a winning quote above it cannot be awarded,
  a contract above its award cannot be submitted — refused with the rule's code, nothing of the
  refused stage approved and nothing committed;
* every approved stage recorded the amount it decided and was routed at the tier of that amount
  (``CaseStage.policy`` is the tier ``select_policy`` gives for it), never at the frozen header's;
* what the contract commits on the budget line is the contract amount, at most the award, at most
  the estimate: no commitment without an approval at its tier.

The examples share one budget line of ¥1,000,000 (hypothesis reuses the function's database),
so the amounts stay below ¥40,000 each and the examples few."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.contrib.contenttypes.models import ContentType
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from approvals.models import Case, CaseStage
from approvals.routing import select_policy
from budget import selectors as budget_selectors
from contracts.exceptions import ContractError
from contracts.models import Contract
from procurement.exceptions import ProcurementError

pytestmark = pytest.mark.django_db

yuan = st.integers(min_value=1000, max_value=40000).map(lambda n: D(n))
# amounts at the award stage's tier boundary (¥10,000 in the seeded stage tiers) are where mistakes live
near = st.sampled_from([D("9999"), D("10000"), D("10001"), D("30000")])


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(estimate=st.one_of(yuan, near), award=st.one_of(yuan, near), contract=st.one_of(yuan, near))
def test_no_stage_amount_reaches_a_commitment_without_an_approval_at_its_tier(flow, estimate, award, contract):
    case = flow.request(str(estimate))
    flow.purchase(case)
    prices = (str(award), str(award + 3000), str(award + 5500))
    if award > estimate:
        with pytest.raises(ProcurementError) as exc:
            flow.quotes(case, prices=prices)
        assert exc.value.code == "award_above_budget"
        _assert_stages_follow_their_tiers(case)
        assert not Contract.objects.filter(case=case).exists()
        return
    flow.quotes(case, prices=prices)
    if contract > award:
        with pytest.raises(ContractError) as exc:
            flow.contract(case, amount=str(contract))
        assert exc.value.code == "contract_above_award"
        case.refresh_from_db()
        assert case.status == Case.Status.DRAFT  # the contract stage was not submitted
        assert not CaseStage.objects.filter(case=case, key="contract", status=CaseStage.Status.APPROVED).exists()
        _assert_stages_follow_their_tiers(case)
        return
    signed = flow.contract(case, amount=str(contract))
    decided = _assert_stages_follow_their_tiers(case)
    assert decided["budget"] == estimate and decided["award"] == award and decided["contract"] == contract
    ct = ContentType.objects.get_for_model(Contract)
    committed = sum(budget_selectors.source_commitments(ct.pk, signed.pk).values(), D("0"))
    assert committed == contract <= award <= estimate


def _assert_stages_follow_their_tiers(case) -> dict:
    """Every approved stage: the amount it decided, routed at that amount's tier."""
    case.refresh_from_db()
    decided = {}
    for record in CaseStage.objects.filter(case=case, status=CaseStage.Status.APPROVED).select_related("policy"):
        assert record.amount is not None, record.key
        assert record.policy == select_policy(case.matter, record.amount, record.key), (record.key, record.amount)
        decided[record.key] = record.amount
    return decided
