"""Every record with a status changes it through one checked method (``core.transitions``):
a status its current one does not allow is refused with a message naming the record and both
statuses, and nothing is written; an allowed one is saved through the ORM, so the history
keeps it. The records are made by the real services, in the state the office would see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import FieldDoesNotExist
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from approvals import services as approval_services
from approvals.exceptions import ApprovalError
from approvals.models import Action
from budget.models import BudgetMovement
from construction import services as construction_services
from construction.exceptions import InvalidConstructionStatus
from construction.models import ChangeOrder, ProgressPayment, Project, Settlement
from contracts import services as contract_services
from contracts.exceptions import InvalidContractStatus
from contracts.models import Acceptance, Contract, Supplement
from contracts.models import Payment as ContractPayment
from core.transitions import InvalidTransition, transitions_check
from payments import services as payment_services
from payments.exceptions import InvalidPaymentStatus
from payments.models import Payment
from procurement import services as procurement_services
from procurement.exceptions import InvalidProcurementStatus
from procurement.models import Award, Purchase
from tests.construction.conftest import works  # noqa: F401  (fixtures)
from tests.procurement.conftest import (  # noqa: F401  (fixtures)
    big_line,
    catalogue,
    flow,
    holders,
    line,
    media_root,
    suppliers,
    today,
)

D = Decimal


def _row(record) -> dict:
    return model_to_dict(type(record).objects.get(pk=record.pk))


def refused(record, to: str, message: str, error: type[InvalidTransition]) -> None:
    """``to`` is refused with ``message`` (an error the app's views show) and nothing changes."""
    before, history, status = _row(record), record.history.count(), record.status
    with pytest.raises(error) as exc:
        record.transition(to)
    assert isinstance(exc.value, ApprovalError) and isinstance(exc.value, InvalidTransition)
    assert exc.value.code == "wrong_status"
    assert str(exc.value) == message
    assert record.status == status
    assert _row(record) == before
    assert record.history.count() == history


def moves(record, to: str, **changes) -> None:
    """``to`` is saved with ``changes``, and the history gains the row with the new status."""
    history = record.history.count()
    record.transition(to, **changes)
    assert type(record).objects.get(pk=record.pk).status == to
    assert record.history.count() == history + 1
    latest = record.history.order_by("-history_id").first()
    assert latest.status == to
    for name, value in changes.items():
        assert getattr(latest, name) == value


def test_every_status_model_declares_its_transitions():
    assert transitions_check() == []
    for model in (Purchase, Award, Contract, Supplement, Acceptance, ContractPayment, Project, ChangeOrder,
                  ProgressPayment, Settlement, Payment):
        assert set(model.TRANSITIONS) == set(model.Status.values), model


def test_a_table_missing_a_status_fails_the_system_check(monkeypatch):
    table = {k: v for k, v in Purchase.TRANSITIONS.items() if k != Purchase.Status.AWARDED}
    monkeypatch.setattr(Purchase, "TRANSITIONS", table)
    errors = transitions_check()
    assert [e.id for e in errors] == ["core.E002"] and "procurement.Purchase" in errors[0].msg


def test_purchase_and_award(flow):
    case = flow.request()
    purchase = flow.purchase(case)  # the method approved
    flow.quotes(case, approve=False)
    approval_services.case_submit(case=case, actor=case.applicant)  # the award in approval
    award = Award.objects.get(purchase=purchase)
    purchase.refresh_from_db()
    assert (purchase.status, award.status) == (Purchase.Status.METHOD_APPROVED, Award.Status.IN_APPROVAL)

    refused(purchase, Purchase.Status.IN_APPROVAL, "此采购当前为“采购方式已批准”，不能变为“采购方式审批中”。",
            InvalidProcurementStatus)
    refused(award, Award.Status.IN_APPROVAL, "此成交当前为“审批中”，不能变为“审批中”。", InvalidProcurementStatus)
    moves(award, Award.Status.AWARDED, awarded_on=flow.today)
    moves(purchase, Purchase.Status.AWARDED)
    refused(purchase, Purchase.Status.CANCELLED, "此采购当前为“已成交”，不能变为“已取消”。", InvalidProcurementStatus)


def test_an_approved_method_is_not_reopened_by_saving_the_purchase_again(flow):
    case = flow.request()
    purchase = flow.purchase(case)
    history = purchase.history.count()
    with pytest.raises(InvalidProcurementStatus, match="不能变为"):
        procurement_services.purchase_set(case=case, actor=case.applicant, category="goods", item_class="家具", method="internal_inquiry")
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.METHOD_APPROVED and purchase.item_class == "办公设备"
    assert purchase.history.count() == history


def test_contract_supplement_acceptance_and_payment(flow):
    case, contract = flow.full_contract()
    assert contract.status == Contract.Status.ACTIVE
    acceptance = flow.acceptance(case, approve=False)
    supplement_case = contract_services.supplement_start(contract=contract, actor=flow.o.clerk)
    supplement = Supplement.objects.get(case=supplement_case)
    payment = flow.payment_case(contract, "22800.00", submit=False)
    assert {acceptance.status, supplement.status, payment.status} == {"draft"}

    refused(acceptance, Acceptance.Status.CONFIRMED, "此验收当前为“填写中”，不能变为“已确认”。", InvalidContractStatus)
    moves(acceptance, Acceptance.Status.IN_APPROVAL)
    refused(supplement, Supplement.Status.APPLIED, "此补充协议当前为“填写中”，不能变为“已生效”。", InvalidContractStatus)
    moves(supplement, Supplement.Status.IN_APPROVAL)
    refused(payment, ContractPayment.Status.PAID, "此支付当前为“填写中”，不能变为“已支付”。", InvalidContractStatus)
    moves(payment, ContractPayment.Status.SUBMITTED)
    refused(contract, Contract.Status.DRAFT, "此合同当前为“已生效”，不能变为“起草中”。", InvalidContractStatus)
    moves(contract, Contract.Status.COMPLETED, completed_at=timezone.now())


def test_desk_payment(flow):
    _case, contract = flow.full_contract()
    paid = flow.pay(flow.payment_case(contract, "22800.00"))
    disbursement = Payment.objects.get(case=paid.case)
    refused(disbursement, Payment.Status.PAID, "此支付当前为“已支付”，不能变为“已支付”。", InvalidPaymentStatus)
    refused(paid, ContractPayment.Status.DRAFT, "此支付当前为“已支付”，不能变为“填写中”。", InvalidContractStatus)
    moves(disbursement, Payment.Status.VOIDED, voided_reason="录入错误")


def test_construction_records(works):
    o = works.o
    project, _contract = works.building()
    change = works.change(project, "50000.00", submit=False)
    construction_services.progress_report_add(project=project, actor=o.clerk, reported_on=works.today, work_done="500000.00")
    progress = construction_services.progress_payment_start(project=project, actor=o.clerk, amount="300000.00",
                                                            invoice_number="44039999")
    works.complete(project)
    settlement = construction_services.settlement_start(
        project=project, actor=o.clerk, amount="1200000.00", audited_amount="1180000.00", retention="30000.00",
        defects_until=works.today + dt.timedelta(days=730), auditor="深圳市测试造价咨询有限公司")
    project.refresh_from_db()
    assert project.status == Project.Status.COMPLETED

    refused(project, Project.Status.BUILDING, "此建设项目当前为“已竣工验收”，不能变为“在建”。", InvalidConstructionStatus)
    moves(project, Project.Status.SETTLED)
    refused(change, ChangeOrder.Status.APPROVED, "此变更签证当前为“填写中”，不能变为“已同意”。", InvalidConstructionStatus)
    moves(change, ChangeOrder.Status.IN_APPROVAL)
    refused(progress, ProgressPayment.Status.PAID, "此工程进度款当前为“填写中”，不能变为“已支付”。",
            InvalidConstructionStatus)
    moves(progress, ProgressPayment.Status.SUBMITTED)
    refused(settlement, Settlement.Status.APPROVED, "此工程结算当前为“填写中”，不能变为“已同意”。",
            InvalidConstructionStatus)
    moves(settlement, Settlement.Status.IN_APPROVAL)


def test_an_unknown_field_is_refused_before_anything_is_set(flow):
    case, contract = flow.full_contract()
    history = contract.history.count()
    with pytest.raises(FieldDoesNotExist):
        contract.transition(Contract.Status.COMPLETED, finished_at=timezone.now())
    assert contract.status == Contract.Status.ACTIVE
    assert Contract.objects.get(pk=contract.pk).status == Contract.Status.ACTIVE
    assert contract.history.count() == history


def test_a_return_at_a_later_stage_leaves_the_approved_records_as_they_are(flow):
    """The return hooks of every stage run; each moves only a record in approval."""
    case, contract = flow.full_contract()
    flow.acceptance(case, approve=False)
    approval_services.case_submit(case=case, actor=case.applicant)
    approval_services.case_return(case=case, actor=holders(case)[0], comment="验收报告缺签字。")
    purchase = Purchase.objects.get(case=case)
    assert purchase.status == Purchase.Status.AWARDED
    assert Award.objects.get(purchase=purchase).status == Award.Status.AWARDED
    assert Contract.objects.get(pk=contract.pk).status == Contract.Status.ACTIVE
    assert Acceptance.objects.get(case=case).status == Acceptance.Status.DRAFT
    assert Acceptance.objects.get(case=case).history.order_by("-history_id").first().status == Acceptance.Status.DRAFT


def test_voiding_a_voided_contract_payment_over_http_is_refused_and_changes_nothing(flow):
    _case, contract = flow.full_contract()
    paid = flow.pay(flow.payment_case(contract, "22800.00"))
    disbursement = Payment.objects.get(case=paid.case)
    payment_services.payment_void(payment=disbursement, actor=flow.o.cashier, reason="银行退票")
    paid.refresh_from_db()
    assert paid.status == ContractPayment.Status.APPROVED
    counts = (disbursement.history.count(), paid.history.count(), contract.history.count(),
              BudgetMovement.objects.filter(case=paid.case).count(), Action.objects.filter(case=paid.case).count())

    client = Client()
    client.force_login(flow.o.cashier)
    r = client.post(reverse("payments:void", args=[disbursement.pk]), {"reason": "再次作废"})
    assert r.status_code == 302
    assert "此支付当前为“已作废”，不能变为“已作废”。" in [str(m) for m in get_messages(r.wsgi_request)]
    disbursement.refresh_from_db()
    paid.refresh_from_db()
    assert disbursement.status == Payment.Status.VOIDED and disbursement.voided_reason == "银行退票"
    assert paid.status == ContractPayment.Status.APPROVED
    assert counts == (disbursement.history.count(), paid.history.count(), contract.history.count(),
                      BudgetMovement.objects.filter(case=paid.case).count(), Action.objects.filter(case=paid.case).count())
