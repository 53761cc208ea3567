"""Budget test data: lines, spending matters and cases (cases made directly, for tests of
the ledger services that do not go through approval routing)."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from approvals.models import Case, Category, Matter
from budget.models import BudgetLine, ControlMode, FundSource
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


class MatterFactory(DjangoModelFactory):
    class Meta:
        model = Matter
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T-ZC{n:03d}")
    name = "测试经费支出"
    category = Category.FINANCE
    spends_money = True
    amount_required = True
    stages = factory.LazyFunction(lambda: ["budget"])


class CaseFactory(DjangoModelFactory):
    class Meta:
        model = Case

    number = factory.Sequence(lambda n: f"XQ-T-CW-{n:05d}")
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    matter = factory.SubFactory(MatterFactory)
    category = Category.FINANCE
    applicant = factory.SubFactory(UserFactory)
    unit = factory.LazyAttribute(lambda o: o.applicant.unit)
    title = "购置办公用品"
    amount = Decimal("100.00")
    status = Case.Status.DRAFT


__all__ = ["BudgetLineFactory", "CaseFactory", "MatterFactory", "UnitFactory", "UserFactory"]
