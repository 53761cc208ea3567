"""The payment desk's world: the seeded catalogue with 差旅费报销 and 会议费 as one-stage
spending matters (budget section only), the office's 差旅费 and 会议费 lines, and helpers that
file and approve a case through the approvals services."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from approvals import demo as approvals_demo
from approvals import services as approvals_services
from approvals.models import Case, Matter
from budget import services as budget_services
from budget.models import ControlMode
from tests.budget.factories import BudgetLineFactory
from tests.e2e.flows import holders


@pytest.fixture
def money(office):
    approvals_demo.seed()
    # the required materials are checked by approvals' own tests; here they are not the point
    Matter.objects.filter(code__in=["CW-CLF", "CW-HYF"]).update(required_attachments=[], stages=["budget"])
    year = timezone.localdate().year
    travel_line = BudgetLineFactory(unit=office.unit, year=year, project="日常运转", economic_code="30211",
                                    economic_name="差旅费", amount=Decimal("20000.00"), control_mode=ControlMode.HARD)
    meeting_line = BudgetLineFactory(unit=office.unit, year=year, project="日常运转", economic_code="30215",
                                     economic_name="会议费", amount=Decimal("10000.00"), control_mode=ControlMode.HARD)
    return SimpleNamespace(
        travel=Matter.objects.get(code="CW-CLF"), meeting=Matter.objects.get(code="CW-HYF"),
        travel_line=travel_line, meeting_line=meeting_line,
    )


def approve_all(case: Case) -> Case:
    for _ in range(12):
        case.refresh_from_db()
        if case.status != Case.Status.IN_PROGRESS:
            break
        approvals_services.case_approve(case=case, actor=holders(case)[0], comment="同意。")
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED, case.status
    return case


@pytest.fixture
def approved_case(office, money):
    def make(amount="3200.00", *, matter=None, line=None, applicant=None, title="赴市民政局学习交流差旅"):
        applicant = applicant or office.clerk
        case = approvals_services.case_create(matter=matter or money.travel, applicant=applicant, title=title,
                                              reason="工作需要", amount=amount)
        budget_services.case_budget_set(case=case, line=line or money.travel_line)
        approvals_services.case_submit(case=case, actor=applicant)
        return approve_all(case)

    return make


@pytest.fixture
def cashier_client(office):
    c = Client()
    c.force_login(office.cashier)
    return c


def sql_sum(sql: str, params) -> Decimal:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0] or Decimal("0.00")


def executed_on(line) -> Decimal:
    return sql_sum("SELECT SUM(amount) FROM budget_budgetmovement WHERE line_id = %s AND kind = 'execute'", [line.pk])


def paid_on_case(case) -> Decimal:
    return sql_sum("SELECT SUM(amount) FROM payments_payment WHERE case_id = %s AND status = 'paid'", [case.pk])


def pay_post(case, **overrides) -> dict:
    data = {"payee": f"person:{case.applicant_id}", "bank_name": "中国工商银行新桥支行",
            "bank_account": "6222 0210 0100 1234 567", "amount": "3200.00", "invoice_code": "",
            "invoice_number": "", "paid_on": timezone.localdate().isoformat(), "bank_reference": "HD20260001"}
    data.update(overrides)
    return data
