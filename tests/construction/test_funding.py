"""Budget control follows the project (construction/funding.py): the approved 概算 arranges
the funding on its lines, a linked contract's commitment takes the project's place on its line,
a cancelled or closed project releases the rest — each line's figures equal SQL sums of its ledger."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection

from budget import selectors as budget_selectors
from budget.models import BudgetMovement
from construction import services

D = Decimal


def _sql(line_id, where):
    with connection.cursor() as cur:
        cur.execute(f"SELECT COALESCE(SUM(amount), 0) FROM {BudgetMovement._meta.db_table} "
                    f"WHERE line_id = %s AND {where}", [line_id])
        return cur.fetchone()[0]


def _check_line(line):
    f = budget_selectors.line_figures(line)
    assert f.arranged == _sql(line.pk, "kind IN ('reserve', 'release') AND stage = 'arranged'")
    assert f.in_approval == _sql(line.pk, "kind IN ('reserve', 'release') AND stage = 'pending'")
    assert f.contracted == _sql(line.pk, "kind = 'commit'")
    assert f.paid == _sql(line.pk, "kind = 'execute'")
    return f


def _held(case):
    return sum(budget_selectors.case_reservations(case).values(), D("0"))


def test_approved_budget_arranges_the_funding_and_a_contract_takes_its_place(works):
    line = works.line
    before = _check_line(line)
    p = works.project("1500000.00", budget=False)
    assert _held(p.case) == 0  # the initiation alone reserves nothing
    works.budget(p, "1500000.00")
    after = _check_line(line)
    assert _held(p.case) == D("1500000.00")
    assert after.arranged - before.arranged == D("1500000.00")
    c = works.link(p, "1200000.00")
    linked = _check_line(line)
    # the contract commits 1,200,000 and the project now holds only the rest: counted once
    assert _held(p.case) == D("300000.00")
    assert linked.contracted - before.contracted == D("1200000.00")
    assert (linked.arranged + linked.contracted) - (before.arranged + before.contracted) == D("1500000.00")
    assert BudgetMovement.objects.filter(case=p.case, kind="release", note__contains=c.number).exists()


def test_a_withdrawn_budget_keeps_nothing_and_cancelling_releases(works):
    p = works.project("800000.00")
    assert _held(p.case) == D("800000.00")
    services.initiation_cancel(case=p.case)
    assert _held(p.case) == 0
    _check_line(works.line)


def test_an_approval_beyond_a_hard_line_is_refused_and_nothing_is_arranged(works, line):
    import pytest

    from budget.exceptions import BudgetExceeded

    p = works.project("1200000.00", line=line, budget=False)
    with pytest.raises(BudgetExceeded, match="1,000,000.00|1000000"):
        works.budget(p, "1200000.00")
    p.refresh_from_db()
    assert _held(p.case) == 0
    assert p.approved_budget is None
    _check_line(line)
