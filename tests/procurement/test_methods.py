"""The method an amount requires, from the configurable thresholds table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from procurement import methods, selectors, services
from procurement.exceptions import ProcurementError
from procurement.methods import Method
from procurement.models import Threshold


@pytest.mark.parametrize(
    ("amount", "category", "tier", "proposed"),
    [
        ("99999.99", "goods", 0, Method.COMPARISON),
        ("100000.00", "goods", 1, Method.INTERNAL_INQUIRY),
        ("999999.99", "services", 1, Method.INTERNAL_INQUIRY),
        ("1000000.00", "goods", 2, Method.INQUIRY),
        ("1000000.00", "services", 2, Method.COMPETITIVE_CONSULTATION),
        ("1199999.99", "works", 1, Method.INTERNAL_INQUIRY),  # works: decentralised limit 1.2M
        ("1200000.00", "works", 2, Method.COMPETITIVE_CONSULTATION),
        ("2000000.00", "goods", 4, Method.OPEN_TENDER),
        ("3999999.99", "works", 2, Method.COMPETITIVE_CONSULTATION),  # works are not under the 2M open-tender rule
        ("4000000.00", "works", 3, Method.OPEN_TENDER),  # 发改委令第16号
    ],
)
def test_requirement_follows_the_seeded_thresholds(catalogue, amount, category, tier, proposed):
    req = selectors.method_requirement(amount=D(amount), category=category)
    assert (req.tier, req.proposed) == (tier, proposed)


def test_rule_names_its_regulation(catalogue):
    req = selectors.method_requirement(amount=D("4500000"), category="works")
    assert "国家发展改革委令第16号" in req.rule
    req = selectors.method_requirement(amount=D("2500000"), category="goods")
    assert "国办发〔2019〕55号" in req.rule and req.deviation_allowed


def test_thresholds_are_data_a_new_row_in_force_changes_the_rule(catalogue, today):
    old = Threshold.objects.get(kind="open_tender", category="goods")
    old.effective_to = today - dt.timedelta(days=1)
    services.threshold_save(threshold=old)
    services.threshold_save(threshold=Threshold(kind="open_tender", category="goods", amount=D("4000000"),
                                                regulation="省级新标准", effective_from=today))
    assert selectors.method_requirement(amount=D("2500000"), category="goods").tier == 2
    # on a date before the change the old row applies
    assert selectors.method_requirement(amount=D("2500000"), category="goods", on=today - dt.timedelta(days=2)).tier == 4


def test_overlapping_thresholds_are_refused(catalogue, today):
    with pytest.raises(ProcurementError):
        services.threshold_save(threshold=Threshold(kind="open_tender", category="goods", amount=D("3000000"),
                                                    regulation="x", effective_from=today))


def test_a_category_row_wins_over_an_all_categories_row(catalogue, today):
    Threshold.objects.create(kind="small_purchase", category="works", amount=D("50000"), regulation="工程另定",
                             effective_from=dt.date(2020, 1, 1))
    assert selectors.method_requirement(amount=D("60000"), category="works").tier == 1
    assert selectors.method_requirement(amount=D("60000"), category="goods").tier == 0


def test_without_thresholds_nothing_is_required(db):
    assert methods.requirement(amount=D("9999999"), category="goods", thresholds={}).tier == 0


def test_methods_allowed_are_at_or_above_the_tier():
    req = methods.Requirement(tier=2, proposed=Method.INQUIRY, rule="")
    allowed = methods.methods_allowed(req)
    assert Method.OPEN_TENDER in allowed and Method.SINGLE_SOURCE in allowed
    assert Method.INTERNAL_INQUIRY not in allowed and Method.COMPARISON not in allowed
