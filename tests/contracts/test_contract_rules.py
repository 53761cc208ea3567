"""Contract risk rules CON-03 (supplements over 10%), CON-04 (too many changes) and CON-09
(contract amount differs from the award), each on both sides of its threshold."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from approvals import rules
from contracts.models import Contract, Supplement

from .test_supplements import _supplement, contract  # noqa: F401  (the contract fixture)

pytestmark = pytest.mark.django_db


def _scan(code, **params):
    rule = rules.get_rule(code)
    return list(rule.scan({**rule.defaults(), **params}))


def test_supplements_up_to_ten_percent_raise_nothing_above_is_found(flow, contract):  # noqa: F811
    sup = _supplement(flow, contract, change="10000.00")  # exactly 10%: what the form allows
    assert _scan("CON-03") == []
    # written around the form (an administrator's correction of the agreement): 10.01%
    Supplement.objects.filter(pk=sup.pk).update(new_amount=D("110010.00"))
    (finding,) = _scan("CON-03")
    assert finding.records == (("contracts.contract", contract.pk),) and finding.figures["share"] == "10.01"


def test_three_supplements_are_too_many_two_are_not(flow, contract):  # noqa: F811
    for _ in range(2):
        _supplement(flow, contract, change="1000.00")
        contract.refresh_from_db()
    assert _scan("CON-04") == []
    _supplement(flow, contract, change="1000.00")
    (finding,) = _scan("CON-04")
    assert finding.figures == {"supplements": 3, "threshold": 3}


def test_a_contract_more_than_five_percent_off_its_award_is_found(flow):
    case = flow.request("100000.00")
    flow.purchase(case)
    flow.quotes(case, prices=("100000.00", "103000.00", "105500.00"))
    flow.contract(case, amount="95000.00")  # exactly 5% below the award
    assert _scan("CON-09") == []
    other = flow.request("100000.00")
    flow.purchase(other)
    flow.quotes(other, prices=("100000.00", "103000.00", "105500.00"))
    c = flow.contract(other, amount="94999.00")
    (finding,) = _scan("CON-09")
    assert finding.records[0] == ("contracts.contract", c.pk) and finding.figures["share"] == "5.00"
