from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from budget import services
from budget.models import ControlMode, FundSource

from .factories import BudgetLineFactory, CaseFactory, MatterFactory


@pytest.fixture
def year() -> int:
    return timezone.localdate().year


@pytest.fixture
def lines(office, year) -> SimpleNamespace:
    """Lines of the ordinary department (公共服务办) and of the community, one per control mode."""
    gfb, sq = office.unit, office.community
    return SimpleNamespace(
        hard=BudgetLineFactory(unit=gfb, year=year, project="社区服务项目", economic_code="30201", economic_name="办公费",
                               amount=Decimal("10000.00"), control_mode=ControlMode.HARD),
        warn=BudgetLineFactory(unit=gfb, year=year, project="社区服务项目", economic_code="30211", economic_name="差旅费",
                               amount=Decimal("5000.00"), control_mode=ControlMode.WARN),
        free=BudgetLineFactory(unit=gfb, year=year, project="日常运转", economic_code="30299", economic_name="其他商品和服务支出",
                               amount=Decimal("1000.00"), control_mode=ControlMode.NONE),
        other=BudgetLineFactory(unit=gfb, year=year, project="日常运转", economic_code="30201", economic_name="办公费",
                                amount=Decimal("8000.00"), fund_source=FundSource.OTHER),
        community=BudgetLineFactory(unit=sq, year=year, project="社区党建", functional_code="2013299",
                                    functional_name="其他组织事务支出", economic_code="30201", economic_name="办公费",
                                    amount=Decimal("20000.00")),
    )


@pytest.fixture
def spend_matter(db):
    return MatterFactory(code="T-ZC", name="测试经费支出")


@pytest.fixture
def new_case(office, spend_matter, year):
    """A draft spending case of the office's clerk, optionally already on a line."""

    def make(amount="100.00", *, line=None, applicant=None, **kwargs):
        applicant = applicant or office.clerk
        case = CaseFactory(matter=spend_matter, applicant=applicant, unit=applicant.unit, year=year,
                           amount=Decimal(amount) if amount is not None else None, **kwargs)
        if line is not None:
            services.case_budget_set(case=case, line=line)
        return case

    return make
