"""Budget test data: budget lines. Matters and cases come from the approvals factories (re-exported
here for the ledger tests)."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from budget.models import BudgetLine, ControlMode, FundSource
from tests.approvals.factories import CaseFactory, MatterFactory
from tests.factories import UnitFactory, UserFactory


class BudgetLineFactory(DjangoModelFactory):
    class Meta:
        model = BudgetLine

    year = factory.LazyFunction(lambda: timezone.localdate().year)
    unit = factory.SubFactory(UnitFactory)
    project = factory.Sequence(lambda n: f"测试项目{n:03d}")
    functional_code = "2010301"
    functional_name = "行政运行"
    economic_code = "30201"
    economic_name = "办公费"
    fund_source = FundSource.FISCAL
    amount = Decimal("10000.00")
    control_mode = ControlMode.HARD


__all__ = ["BudgetLineFactory", "CaseFactory", "MatterFactory", "UnitFactory", "UserFactory"]
