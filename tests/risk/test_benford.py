"""Benford first-digit sampling of each unit's payments (not a warning): the counts come from
SQL (left(amount::text, 1) per unit), compared here with digits counted by hand; the MAD and
chi-square figures are the textbook formulas; a unit with fewer than 100 payments is only
listed; the page runs a fixed number of queries and is for the supervisors."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals import demo
from approvals import services as approvals
from approvals.models import Matter
from payments.models import Payment
from risk import selectors

pytestmark = pytest.mark.django_db

# first digit -> how many payments of the unit begin with it (hand-counted data: 100 in all)
HAND = {1: 20, 2: 15, 3: 15, 4: 12, 5: 10, 6: 8, 7: 8, 8: 6, 9: 6}


def _pay(case, office, amounts, *, on=None, **extra):
    Payment.objects.bulk_create([
        Payment(case=case, source_key="reimbursement", payee_kind="person", payee_name="张三", bank_account="6222",
                amount=Decimal(a), paid_on=on or timezone.localdate(), paid_by=office.cashier, **extra)
        for a in amounts])


def _case(office, applicant):
    demo.seed()
    return approvals.case_create(matter=Matter.objects.get(code="CW-SQSP"), applicant=applicant, title="差旅费",
                                 amount="100")


@pytest.fixture
def payments(office):
    unit_case, other_case = _case(office, office.clerk), _case(office, office.community_clerk)
    amounts = []
    for d, n in HAND.items():  # amounts of every size beginning with d: 1.50, 12.00, 130.00, 1400.00, …
        amounts += [f"{d}{'0' * (i % 4)}{i % 10}.{i % 100:02d}" for i in range(n)]
    _pay(unit_case, office, amounts)
    # left out: a refund, a voided payment, an amount under one yuan, last year's payments
    first = Payment.objects.filter(case=unit_case).first()
    _pay(unit_case, office, ["-900.00"], refund_of=first)
    _pay(unit_case, office, ["9000.00"], status=Payment.Status.VOIDED)
    _pay(unit_case, office, ["0.90"])
    _pay(unit_case, office, ["9.00"] * 50, on=dt.date(timezone.localdate().year - 1, 6, 1))
    _pay(other_case, office, ["500.00"] * 99)  # the community: too few to judge
    return unit_case, other_case


def test_the_first_digit_counts_agree_with_the_hand_count_and_the_figures_with_the_formulas(office, payments):
    units, few = selectors.benford(timezone.localdate().year)
    (row,) = units
    assert row["unit_id"] == office.unit.pk and row["n"] == 100
    assert {x["digit"]: x["count"] for x in row["digits"]} == HAND
    expected = {d: math.log10(1 + 1 / d) for d in range(1, 10)}
    mad = sum(abs(HAND[d] / 100 - expected[d]) for d in range(1, 10)) / 9
    chi2 = sum(100 * (HAND[d] / 100 - expected[d]) ** 2 / expected[d] for d in range(1, 10))
    assert row["mad"] == pytest.approx(mad) and row["chi2"] == pytest.approx(chi2)
    assert round(mad, 4) == 0.0282 and row["review"]  # 20% ones against 30.1%: a sample is reviewed
    assert few == [{"unit_id": office.units["sq01"].pk, "unit": "新桥社区", "n": 99}]


def test_a_unit_that_follows_benford_is_not_marked(office):
    case = _case(office, office.clerk)
    amounts = []
    for d in range(1, 10):  # 1,000 payments shared out as Benford's law says (rounded)
        amounts += [f"{d}{i:03d}.00" for i in range(round(1000 * math.log10(1 + 1 / d)))]
    _pay(case, office, amounts)
    (row,) = selectors.benford(timezone.localdate().year)[0]
    assert row["mad"] < 0.001 and not row["review"]


def test_the_page_is_for_supervisors_and_runs_a_fixed_number_of_queries(client, office, payments,
                                                                        django_assert_max_num_queries):
    client.force_login(office.supervisor)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("risk:benford"))
    _pay(_case(office, office.heads["dzb"]), office, ["300.00"] * 120)  # one more unit: not one query more
    with django_assert_max_num_queries(12):
        response = client.get(reverse("risk:benford"))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-unit="{office.unit.pk}"' in body and "0.200" in body and "0.301" in body
    assert "（99）" in body
    client.force_login(office.clerk)
    assert client.get(reverse("risk:benford")).status_code == 403
