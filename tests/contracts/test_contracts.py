"""Contracts: pre-filled from the award, payment terms that add up to the amount, the award
as a ceiling, countersign through approvals, and the budget commitment once in force."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from approvals import registry
from approvals import services as approval_services
from approvals.models import Case
from budget.selectors import line_figures
from contracts.exceptions import ContractError
from contracts.models import Contract, DocKind, PaymentTerm
from documents import services as document_services
from documents.exceptions import DocumentError

from tests.procurement.conftest import pdf


@pytest.fixture
def at_contract(flow):
    case = flow.request("80000.00")
    flow.purchase(case)
    flow.quotes(case)
    return case


def test_contract_form_is_prefilled_from_the_award(flow, at_contract):
    section = registry.get("contract")
    initial = section.initial(at_contract, at_contract.applicant)
    assert initial["amount"] == D("76000.00") and initial["category"] == "goods"
    assert sum(t["amount"] for t in initial["terms"]) == D("76000.00")
    form = section.form_class(case=at_contract, user=at_contract.applicant, initial=initial)
    assert "supplier" not in form.fields  # the award's supplier, not to be changed


def test_terms_must_add_up_to_the_amount_and_nothing_is_saved(flow, at_contract):
    terms = [
        {"kind": "advance", "name": "", "percent": D("30"), "amount": None, "trigger": "signing", "due_date": None},
        {"kind": "acceptance", "name": "", "percent": D("60"), "amount": None, "trigger": "acceptance", "due_date": None},
    ]
    with pytest.raises(ContractError) as exc:
        flow.contract(at_contract, terms=terms, approve=False)
    assert exc.value.code == "terms_sum"
    assert "¥68,400.00" in exc.value.message and "¥76,000.00" in exc.value.message and "¥7,600.00" in exc.value.message
    assert not Contract.objects.filter(case=at_contract).exists()


def test_a_percent_and_an_amount_that_disagree_are_refused(flow, at_contract):
    terms = [{"kind": "acceptance", "name": "", "percent": D("100"), "amount": D("70000"), "trigger": "acceptance", "due_date": None}]
    with pytest.raises(ContractError) as exc:
        flow.contract(at_contract, terms=terms, approve=False)
    assert exc.value.code == "term_percent_mismatch"


def test_retention_needs_its_release_date(flow, at_contract):
    terms = [
        {"kind": "acceptance", "name": "", "percent": D("97"), "amount": None, "trigger": "acceptance", "due_date": None},
        {"kind": "retention", "name": "质保金", "percent": D("3"), "amount": None, "trigger": "acceptance", "due_date": None},
    ]
    with pytest.raises(ContractError) as exc:
        flow.contract(at_contract, terms=terms, approve=False)
    assert exc.value.code == "retention_date"


def test_a_contract_above_its_award_is_refused(flow, at_contract):
    terms = [{"kind": "acceptance", "name": "", "percent": D("100"), "amount": None, "trigger": "acceptance", "due_date": None}]
    flow.contract(at_contract, amount="78000.00", terms=terms, approve=False)
    with pytest.raises(ContractError) as exc:
        approval_services.case_submit(case=at_contract, actor=at_contract.applicant)
    assert exc.value.code == "contract_above_award"
    assert "¥76,000.00" in exc.value.message and "CON-09" in exc.value.message
    assert Contract.objects.get(case=at_contract).status == Contract.Status.DRAFT


def test_the_contract_text_is_required_for_the_countersign(flow, at_contract):
    flow.contract(at_contract, doc=False, approve=False)
    with pytest.raises(ContractError) as exc:
        approval_services.case_submit(case=at_contract, actor=at_contract.applicant)
    assert exc.value.code == "contract_text_missing"


def test_countersigned_contract_is_in_force_commits_the_budget_and_reaches_signing_milestones(flow, at_contract):
    contract = flow.contract(at_contract)
    assert contract.status == Contract.Status.ACTIVE and contract.number.startswith(f"HT-{flow.today.year}-")
    advance = contract.terms.get(kind="advance")
    assert advance.reached_on == flow.today and advance.amount == D("22800.00")
    assert contract.terms.get(kind="acceptance").reached_on is None
    fig = line_figures(flow.line)
    assert fig.contracted == D("76000.00")
    # the 4,000 the contract did not use goes back to the line
    assert fig.arranged == D("0.00") and fig.available == D("1000000.00") - D("76000.00")
    at_contract.refresh_from_db()
    assert at_contract.stage_key == "acceptance"


def test_a_hard_budget_line_refuses_a_contract_it_cannot_hold(flow, office, today):
    from budget import services as budget_services
    from budget.models import ControlMode

    tight = budget_services.budget_line_create(
        year=today.year, unit=office.unit, project="紧张项目", functional_code="2010301", functional_name="行政运行",
        economic_code="30201", economic_name="办公费", amount=D("80000.00"), control_mode=ControlMode.HARD,
    )
    case = flow.request("80000.00", line=tight)
    flow.purchase(case)
    flow.quotes(case, prices=("80000.00", "81000.00", "82000.00"))
    # someone else spends from the line meanwhile is impossible (fully reserved); the contract fits exactly
    contract = flow.contract(case, amount="80000.00", terms=[
        {"kind": "acceptance", "name": "", "percent": D("100"), "amount": None, "trigger": "acceptance", "due_date": None}])
    assert contract.status == Contract.Status.ACTIVE
    assert line_figures(tight).available == D("0.00")


def test_retention_over_three_percent_of_works_is_warned(flow, big_line):
    case = flow.request("200000.00", line=big_line)
    flow.purchase(case, category="works")
    flow.quotes(case, prices=("200000.00", "205000.00", "210000.00"))
    terms = [
        {"kind": "acceptance", "name": "", "percent": D("95"), "amount": None, "trigger": "acceptance", "due_date": None},
        {"kind": "retention", "name": "质保金", "percent": D("5"), "amount": None, "trigger": "date",
         "due_date": flow.today + dt.timedelta(days=365)},
    ]
    flow.contract(case, amount="200000.00", terms=terms, category="works", approve=False)
    warnings = approval_services.case_submit(case=case, actor=case.applicant)
    assert any("CON-08" in w for w in warnings)


def test_a_direct_contract_below_the_small_purchase_limit(flow, catalogue, suppliers):
    case = approval_services.case_create(matter=catalogue["HT-SP"], applicant=flow.o.clerk, title="年度法律顾问服务",
                                         amount="60000.00")
    flow.attach_required(case)
    from budget import services as budget_services

    budget_services.case_budget_set(case=case, line=flow.line)
    approval_services.case_submit(case=case, actor=case.applicant)
    from tests.procurement.conftest import approve_all

    approve_all(case)
    contract = flow.contract(case, amount="60000.00", category="services", supplier=suppliers[3])
    assert contract.status == Contract.Status.ACTIVE and contract.award_id is None


def test_a_direct_contract_at_the_small_purchase_limit_is_refused(flow, catalogue, suppliers):
    from budget import services as budget_services

    from tests.procurement.conftest import approve_all

    case = approval_services.case_create(matter=catalogue["HT-SP"], applicant=flow.o.clerk, title="设备采购", amount="120000.00")
    flow.attach_required(case)
    budget_services.case_budget_set(case=case, line=flow.line)
    approval_services.case_submit(case=case, actor=case.applicant)
    approve_all(case)
    flow.contract(case, amount="120000.00", supplier=suppliers[3], approve=False)
    with pytest.raises(ContractError) as exc:
        approval_services.case_submit(case=case, actor=case.applicant)
    assert exc.value.code == "direct_contract_above_limit"


def test_the_signed_scan_may_be_added_once_in_force(flow, at_contract):
    contract = flow.contract(at_contract)
    doc = document_services.attach(owner=contract, kind=DocKind.CONTRACT_SCAN, upload=pdf("签字盖章.pdf"),
                                               actor=at_contract.applicant)
    assert doc.owner == contract
    with pytest.raises(DocumentError):
        document_services.attach(owner=contract, kind=DocKind.CONTRACT_TEXT, upload=pdf(), actor=at_contract.applicant)


def test_rejecting_the_contract_stage_releases_the_reservation(flow, at_contract):
    flow.contract(at_contract, approve=False)
    approval_services.case_submit(case=at_contract, actor=at_contract.applicant)
    at_contract.refresh_from_db()
    holder = at_contract.current_step.assignees.first().user
    approval_services.case_reject(case=at_contract, actor=holder, comment="合同条款不利")
    assert Contract.objects.get(case=at_contract).status == Contract.Status.CANCELLED
    fig = line_figures(flow.line)
    assert fig.arranged == fig.contracted == D("0.00")


def test_terms_in_the_snapshot_of_the_trail(flow, at_contract):
    flow.contract(at_contract)
    from approvals.models import Action

    last = Action.objects.filter(case=at_contract).order_by("-id").first()
    assert last.snapshot["sections"]["contract"]["amount"] == "76000.00"
    assert PaymentTerm.objects.filter(contract__case=at_contract).count() == 2
    assert Case.objects.get(pk=at_contract.pk).status == Case.Status.DRAFT
