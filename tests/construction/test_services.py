"""The project's rules through the services, on PostgreSQL: each refusal names its rule and
leaves nothing saved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from approvals import services as approval_services
from approvals.exceptions import ApprovalError
from approvals.models import Case, StepKind
from assets.models import AssetCard
from construction import services
from construction.exceptions import ConstructionError
from construction.models import ChangeOrder, ContractRole, FinalAccounts, ProgressPayment, Project, Settlement
from construction.selectors import figures
from documents import services as document_services

from .conftest import approve_all, pdf

D = Decimal
pytestmark = pytest.mark.django_db


def test_project_is_numbered_and_supervision_follows_the_threshold(works):
    small = works.project("800000.00", approve=False, name="小区路面修缮")
    big = works.project("1000000.00", approve=False, name="服务中心改造")
    assert small.number.startswith("GC-") and small.number != big.number
    assert small.supervision_required is False
    assert big.supervision_required is True  # at the threshold: supervised
    assert small.status == Project.Status.DRAFT and small.case.matter.code == "GC-LX"


def test_funding_must_add_up_to_the_estimate(works):
    before = Project.objects.count()
    with pytest.raises(ConstructionError, match="须等于投资估算"):
        services.project_create(actor=works.o.clerk, name="x", location="y", kind="repair", estimate="100000",
                                funding=[(works.line, D("90000"))])
    assert Project.objects.count() == before and not Case.objects.filter(matter__code="GC-LX").exists()


def test_initiation_and_budget_approval_set_the_cap(works):
    p = works.project("1500000.00", budget="1600000.00")
    assert p.status == Project.Status.ESTIMATED
    assert p.approved_budget == D("1600000.00") and p.initiated_on and p.budget_approved_on


def test_budget_more_than_ten_percent_above_the_estimate_needs_re_initiation(works):
    p = works.project("1000000.00", budget=False)
    with pytest.raises(ConstructionError, match="第十二条") as exc:
        services.project_budget_set(project=p, actor=works.o.clerk, amount="1100000.01")
    assert "重新报批立项" in str(exc.value)
    p.refresh_from_db()
    assert p.budget_estimate is None
    services.project_budget_set(project=p, actor=works.o.clerk, amount="1100000.00")  # exactly 10%: allowed


def test_contract_beyond_the_budget_is_refused(works):
    p = works.project("1000000.00")
    works.link(p, "900000.00")
    c = works.contract("100000.01", category="services", supplier=1)
    with pytest.raises(ConstructionError, match="ENG-03") as exc:
        services.project_contract_link(project=p, contract=c, role=ContractRole.SUPERVISION, actor=works.o.clerk)
    assert "第二十三条" in str(exc.value)
    assert p.contracts.count() == 1


def test_start_without_supervision_is_refused_above_the_threshold(works):
    p = works.project("1000000.00")
    works.link(p, "900000.00")
    with pytest.raises(ConstructionError, match="ENG-02") as exc:
        services.project_start(project=p, actor=works.o.clerk, started_on=works.today)
    assert "未签订监理合同" in str(exc.value)
    p.refresh_from_db()
    assert p.status == Project.Status.ESTIMATED and p.started_on is None
    works.link(p, "30000.00", ContractRole.SUPERVISION, supplier=1)
    services.project_start(project=p, actor=works.o.clerk, started_on=works.today)
    p.refresh_from_db()
    assert p.status == Project.Status.BUILDING


def test_start_below_the_threshold_needs_no_supervision(works):
    p = works.project("999999.99")
    works.link(p, "900000.00")
    services.project_start(project=p, actor=works.o.clerk, started_on=works.today)
    p.refresh_from_db()
    assert p.status == Project.Status.BUILDING


def test_change_within_the_share_keeps_the_route(works):
    p, c = works.building(construction="1000000.00")
    ch = works.change(p, "100000.00", approve=False)  # exactly 10%: not above
    assert ch.share == D("10.00") and not ch.major and ch.cumulative == D("100000.00")
    kinds = set(ch.case.route.filter(version=ch.case.route_version).values_list("kind", flat=True))
    assert StepKind.PRINCIPAL not in kinds or ch.case.policy.steps.filter(kind=StepKind.PRINCIPAL).exists()


def test_change_over_the_share_adds_the_principal_and_the_collective_decision(works):
    p, c = works.building(construction="1000000.00")
    works.change(p, "60000.00")
    ch = works.change(p, "45000.00", approve=False)  # cumulative 105,000 = 10.5%
    assert ch.major and ch.share == D("10.50") and ch.cumulative == D("105000.00")
    kinds = list(ch.case.route.filter(version=ch.case.route_version).values_list("kind", flat=True))
    assert StepKind.PRINCIPAL in kinds and StepKind.COLLECTIVE in kinds
    approve_all(ch.case)
    ch.refresh_from_db()
    assert ch.status == ChangeOrder.Status.APPROVED


def test_change_beyond_the_budget_is_refused(works):
    p, c = works.building(estimate="1300000.00", construction="1200000.00", supervision="30000.00")
    before = ChangeOrder.objects.count()
    with pytest.raises(ConstructionError, match="ENG-03"):
        works.change(p, "70000.01")
    assert ChangeOrder.objects.count() == before


def test_progress_payment_is_capped_by_the_work_done(works):
    p, c = works.building(construction="1000000.00")
    services.progress_report_add(project=p, actor=works.o.clerk, reported_on=works.today, work_done="500000.00")
    before = ProgressPayment.objects.count()
    with pytest.raises(ConstructionError, match="已完工程价款") as exc:
        services.progress_payment_start(project=p, actor=works.o.clerk, amount="400000.01", invoice_number="4403001")
    assert "80" in str(exc.value)
    assert ProgressPayment.objects.count() == before
    pay = services.progress_payment_start(project=p, actor=works.o.clerk, amount="400000.00", invoice_number="4403001")
    assert pay.status == ProgressPayment.Status.DRAFT


def test_progress_report_is_cumulative(works):
    p, c = works.building(construction="1000000.00")
    services.progress_report_add(project=p, actor=works.o.clerk, reported_on=works.today, work_done="500000.00")
    with pytest.raises(ConstructionError, match="累计数"):
        services.progress_report_add(project=p, actor=works.o.clerk, reported_on=works.today, work_done="400000.00")
    assert p.progress.count() == 1


def test_completion_needs_the_construction_contract(works):
    p = works.project("800000.00")
    # a project forced into construction without its contract (an imported record): completion is refused
    p.transition(Project.Status.BUILDING)
    document_services.attach(owner=p, kind="completion", upload=pdf("竣工验收报告.pdf"), actor=works.o.clerk)
    with pytest.raises(ConstructionError, match="竣工验收须有项目施工合同") as exc:
        services.project_complete(project=p, actor=works.o.clerk, completed_on=works.today)
    assert "第二十五条" in str(exc.value)
    p.refresh_from_db()
    assert p.status == Project.Status.BUILDING and p.completed_on is None
    assert not FinalAccounts.objects.filter(project=p).exists()


def _completed(works):
    p, c = works.building(construction="1000000.00")
    return works.complete(p), c


def test_completion_sets_the_final_accounts_due_date(works):
    p, c = _completed(works)
    fa = FinalAccounts.objects.get(project=p)
    assert fa.due_on > p.completed_on and (fa.due_on - p.completed_on).days in range(89, 93)
    assert services.final_accounts_remind(today=fa.due_on - dt.timedelta(days=20)) == 0
    assert services.final_accounts_remind(today=fa.due_on - dt.timedelta(days=10)) == 1
    assert services.final_accounts_remind(today=fa.due_on) == 0  # once


@pytest.mark.parametrize("audited,retention,message", [
    ("1000000.01", "0", "不能高于送审结算金额"),
    ("950000.00", "28500.01", "建质〔2017〕138号"),
])
def test_settlement_refusals(works, audited, retention, message):
    p, c = _completed(works)
    with pytest.raises(ConstructionError, match=message):
        services.settlement_start(project=p, actor=works.o.clerk, amount="1000000.00", audited_amount=audited,
                                  retention=retention, defects_until=works.today, auditor="广东正信工程造价咨询有限公司")
    assert not Settlement.objects.filter(project=p).exists()


def test_retention_at_three_percent_is_allowed(works):
    p, c = _completed(works)
    s = services.settlement_start(project=p, actor=works.o.clerk, amount="1000000.00", audited_amount="950000.00",
                                  retention="28500.00", defects_until=works.today, auditor="广东正信")
    assert s.reduction == D("50000.00")


def test_handover_before_completion_is_refused(works):
    p, c = works.building(construction="1000000.00")
    with pytest.raises(ConstructionError, match="竣工验收合格后方可交付使用"):
        services.project_handover(project=p, actor=works.o.clerk, handed_over_on=works.today, receiving_unit=works.o.unit,
                                  items=[{"name": "服务中心", "asset_class": "buildings", "value": "900000"}])
    assert not AssetCard.objects.exists()


def test_handover_cards_at_an_estimate_then_final_accounts_adjust(works):
    p, c = _completed(works)
    s = services.settlement_start(project=p, actor=works.o.clerk, amount="1000000.00", audited_amount="950000.00",
                                  retention="28500.00", defects_until=works.today, auditor="广东正信")
    works.flow.attach_required(s.case)
    approval_services.case_submit(case=s.case, actor=works.o.clerk)
    approve_all(s.case)
    p.refresh_from_db()
    assert p.status == Project.Status.SETTLED
    services.project_handover(project=p, actor=works.o.clerk, handed_over_on=works.today, receiving_unit=works.o.community,
                              items=[{"name": "服务中心主体", "asset_class": "buildings", "value": "800000.00"},
                                     {"name": "消防设施", "asset_class": "equipment", "value": "150000.00"}])
    cards = list(AssetCard.objects.order_by("id"))
    assert [c.estimated for c in cards] == [True, True] and cards[0].source_ref == p.number
    services.final_accounts_approve(project=p, actor=works.o.clerk, total_cost="940000.00", approved_on=works.today)
    cards = list(AssetCard.objects.order_by("id"))
    assert not any(c.estimated for c in cards)
    assert sum(c.value for c in cards) == D("940000.00") and cards[0].estimated_value == D("800000.00")
    p.refresh_from_db()
    assert p.status == Project.Status.CLOSED


def test_supervisor_changes_nothing(works):
    with pytest.raises(ApprovalError):
        services.project_create(actor=works.o.supervisor, name="x", location="y", kind="repair", estimate="1000",
                                funding=[(works.line, D("1000"))])


def test_figures_sum_the_chain(works):
    p, c = works.building(construction="1000000.00", supervision="30000.00")
    works.change(p, "50000.00")
    fig = figures(p)
    assert fig.contracts == D("1030000.00") and fig.construction == D("1000000.00") and fig.changes == D("50000.00")
    assert fig.change_share == D("5.00")
