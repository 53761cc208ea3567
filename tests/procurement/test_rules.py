"""Procurement risk rules PRO-06 (identical or suspicious quotes) and PRO-08 (blacklisted or
lapsed supplier), each on both sides of the line, as the engine runs them."""

from __future__ import annotations

import datetime as dt

import pytest

from approvals import rules
from procurement.models import SupplierQualification

pytestmark = pytest.mark.django_db


def _scan(code, **params):
    rule = rules.get_rule(code)
    return list(rule.scan({**rule.defaults(), **params}))


def _awarded(flow, prices=("76000.00", "79000.00", "81500.00"), winner=0):
    case = flow.request()
    flow.purchase(case)
    return flow.quotes(case, prices=prices, winner=winner)


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


def test_supplier_concentration_and_the_analysis_page_agree_with_sql(client, flow, office):
    from decimal import Decimal

    from django.db import connection
    from django.urls import reverse

    # supplier 0 wins twice (76,000 + 70,000), supplier 1 once (79,000): goods total 225,000
    _awarded(flow)
    _awarded(flow, prices=("70000.00", "79000.00", "81500.00"))
    _awarded(flow, prices=("80000.00", "79000.00", "81500.00"), winner=1)
    # joins that could repeat a row: several qualifications per supplier (quotes are already 3 per purchase)
    for n in range(3):
        SupplierQualification.objects.create(supplier=flow.suppliers[0], name=f"资质{n}",
                                             valid_until=flow.today + dt.timedelta(days=400))
    found = {f.records[0][1]: f for f in _scan("PRO-07", share="60")}
    assert flow.suppliers[0].pk in found  # 146,000 / 225,000 = 64.88%
    assert found[flow.suppliers[0].pk].figures["share"] == "64.88"
    assert _scan("PRO-07", share="65") == []
    client.force_login(office.supervisor)
    response = client.get(reverse("risk:suppliers"))
    rows = {r["supplier_id"]: r for r in response.context["shares"]}
    with connection.cursor() as cur:
        cur.execute("SELECT supplier_id, SUM(amount), COUNT(*) FROM procurement_award WHERE status = 'awarded' "
                    "GROUP BY supplier_id")
        sql = {sid: (amount, n) for sid, amount, n in cur.fetchall()}
    assert {sid: (r["amount"], r["awards"]) for sid, r in rows.items()} == sql
    assert all(r["category_total"] == sum(a for a, _n in sql.values()) == Decimal("225000.00") for r in rows.values())
    client.force_login(office.clerk)
    assert client.get(reverse("risk:suppliers")).status_code == 403


def test_a_captive_supplier_is_found_above_the_count(flow):
    for _ in range(3):
        _awarded(flow)
    assert [f for f in _scan("PRO-07", share="100") if "captive" in f.part] == []  # 3 awards: not more than 3
    _awarded(flow)
    (captive,) = [f for f in _scan("PRO-07", share="100") if "captive" in f.part]
    assert captive.records == (("procurement.supplier", flow.suppliers[0].pk),) and captive.figures["awards"] == 4
