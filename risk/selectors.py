from __future__ import annotations

import math

from .models import RiskWarning
from .permissions import may_open_desk, visible_warnings


def live_count(user) -> int:
    """The navigation badge: warnings not yet closed that the person may see."""
    if not may_open_desk(user):
        return 0
    return visible_warnings(user).filter(status__in=RiskWarning.LIVE).count()


# --- Benford first-digit sampling (not a warning) ----------------------------------------------------------
# RISK_RULES.md, "Sampling, not alerting": a unit whose payments' first digits stray from
# Benford's law (mean absolute deviation above 0.015, Nigrini's "nonconformity" for first
# digits) with at least 100 payments is marked for a supervisor's sample review.
BENFORD_MIN_PAYMENTS = 100
BENFORD_MAD_LIMIT = 0.015
BENFORD_EXPECTED = {d: math.log10(1 + 1 / d) for d in range(1, 10)}


def benford(year: int) -> tuple[list[dict], list[dict]]:
    """Per unit, the first digits of the year's payments in force (refunds and amounts under
    ¥1 left out), counted in SQL: left(amount::text, 1) grouped by unit. Returns (units with
    enough payments, each with its shares, MAD and chi-square; units with too few), in two
    queries whatever the number of units and payments."""
    from django.db.models import CharField, Count
    from django.db.models.functions import Cast, Left

    from org.models import Unit
    from payments.models import Payment

    rows = (Payment.objects.filter(status=Payment.Status.PAID, amount__gte=1, paid_on__year=year)
            .annotate(digit=Left(Cast("amount", CharField()), 1)).values("case__unit_id", "digit")
            .annotate(n=Count("id")).order_by())
    counts: dict[int, dict[int, int]] = {}
    for r in rows:
        counts.setdefault(r["case__unit_id"], {})[int(r["digit"])] = r["n"]
    names = dict(Unit.objects.filter(pk__in=counts).values_list("pk", "name"))
    enough, few = [], []
    for unit_id, by_digit in sorted(counts.items(), key=lambda kv: names.get(kv[0], "")):
        n = sum(by_digit.values())
        if n < BENFORD_MIN_PAYMENTS:
            few.append({"unit_id": unit_id, "unit": names.get(unit_id, ""), "n": n})
            continue
        digits = []
        for d, expected in BENFORD_EXPECTED.items():
            observed = by_digit.get(d, 0) / n
            digits.append({"digit": d, "count": by_digit.get(d, 0), "observed": observed, "expected": expected,
                           "deviation": observed - expected})
        mad = sum(abs(x["deviation"]) for x in digits) / 9
        chi2 = sum(n * x["deviation"] ** 2 / x["expected"] for x in digits)
        enough.append({"unit_id": unit_id, "unit": names.get(unit_id, ""), "n": n, "digits": digits, "mad": mad,
                       "chi2": chi2, "review": mad > BENFORD_MAD_LIMIT})
    return enough, few
