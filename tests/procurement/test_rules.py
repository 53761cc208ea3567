"""Procurement risk rules PRO-06 (identical or suspicious quotes) and PRO-08 (blacklisted or
lapsed supplier), each on both sides of the line, as the engine runs them."""

from __future__ import annotations

import datetime as dt

import pytest

from approvals import rules
from procurement.models import SupplierQualification

pytestmark = pytest.mark.django_db


def _scan(code):
    rule = rules.get_rule(code)
    return list(rule.scan(rule.defaults()))


def _awarded(flow, prices=("76000.00", "79000.00", "81500.00")):
    case = flow.request()
    flow.purchase(case)
    return flow.quotes(case, prices=prices)


def test_quotes_with_different_prices_and_contacts_raise_nothing(flow):
    _awarded(flow)
    assert _scan("PRO-06") == []


def test_two_quotes_at_the_same_price_are_found(flow):
    award = _awarded(flow, prices=("76000.00", "79000.00", "79000.00"))
    (finding,) = _scan("PRO-06")
    assert ("procurement.purchase", award.purchase_id) in finding.records
    assert {flow.suppliers[1].pk, flow.suppliers[2].pk} == {pk for label, pk in finding.records if label == "procurement.supplier"}
    assert "报价相同" in finding.message or "same" in finding.message


def test_quoting_suppliers_sharing_a_phone_are_found_spaces_aside(flow):
    a, b = flow.suppliers[0], flow.suppliers[2]
    a.phone, b.phone = "0755-8888 1234", "0755-88881234"
    a.save()
    b.save()
    _awarded(flow)
    (finding,) = _scan("PRO-06")
    assert finding.figures["shared"] in ("电话", "phone")


def test_an_award_to_a_supplier_with_a_valid_qualification_raises_nothing(flow):
    SupplierQualification.objects.create(supplier=flow.suppliers[0], name="营业执照",
                                         valid_until=flow.today + dt.timedelta(days=1))
    _awarded(flow)
    assert _scan("PRO-08") == []


def test_an_award_to_a_supplier_whose_qualification_had_lapsed_is_found(flow):
    award = _awarded(flow)  # the award service refuses a lapsed supplier; the scan finds what got past it:
    # a certificate registered afterwards shows it had expired before the award
    SupplierQualification.objects.create(supplier=flow.suppliers[0], name="生产许可证",
                                         valid_until=award.awarded_on - dt.timedelta(days=1))
    (finding,) = _scan("PRO-08")
    assert finding.records[0] == ("procurement.award", award.pk) and "生产许可证" in finding.message


def test_an_award_to_a_supplier_blacklisted_later_is_found(flow):
    award = _awarded(flow)
    assert _scan("PRO-08") == []
    award.supplier.blacklisted, award.supplier.blacklist_reason = True, "列入失信被执行人名单"
    award.supplier.save()
    (finding,) = _scan("PRO-08")
    assert finding.records[1] == ("procurement.supplier", award.supplier_id)
