"""The demo budget: a realistic year of lines for the demo office, made idempotently."""

from __future__ import annotations

import io

import pytest

from approvals import demo as approvals_demo
from approvals.models import Matter
from budget import demo, selectors
from budget.models import BudgetLine, BudgetMovement, CaseBudget
from org import demo as org_demo
from org.models import Unit, User

pytestmark = pytest.mark.django_db


def test_seed_makes_a_year_of_lines_for_every_unit_once():
    org_demo.seed()
    approvals_demo.seed()
    out = io.StringIO()
    first = demo.seed(stdout=out)
    assert 200 <= first["lines"] <= 600
    units_with_lines = set(BudgetLine.objects.values_list("unit_id", flat=True))
    assert units_with_lines == set(Unit.objects.exclude(kind=Unit.Kind.LEADERSHIP).values_list("id", flat=True))
    assert first["payments"] > 0 or BudgetMovement.objects.exists() is False
    assert CaseBudget.objects.exists()
    assert Matter.objects.filter(code="CW-YSTZ", stages=["budget_adjustment"]).exists()
    movements = BudgetMovement.objects.count()

    again = demo.seed(stdout=out)
    assert again["created"] == 0 and again["lines"] == first["lines"]
    assert BudgetMovement.objects.count() == movements
    assert "budget:" in out.getvalue()

    table = selectors.execution_table(user=User.objects.get(username="caiwu"), year=BudgetLine.objects.first().year)
    assert table.total.amount > 50_000_000  # hundreds of millions of yuan at a street office
    assert table.total.available <= table.total.adjusted


def test_seed_adds_the_adjustment_matter_when_the_catalogue_lacks_it():
    org_demo.seed()
    assert not Matter.objects.filter(code="CW-YSTZ").exists()
    demo.seed()
    matter = Matter.objects.get(code="CW-YSTZ")
    assert matter.stages == ["budget_adjustment"]
