"""Supplementary agreements change the amount, end date and open milestones through
approvals, within 10% of the original amount; the contract history shows each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from approvals import services as approval_services
from approvals.exceptions import ApprovalError
from budget.selectors import line_figures
from contracts import services
from contracts.exceptions import ContractError
from contracts.models import Contract, PaymentTerm, Supplement
from tests.procurement.conftest import approve_all


@pytest.fixture
def contract(flow):
    _case, contract = flow.full_contract("100000.00", award="100000.00")
    return contract  # 100,000: advance 30,000 reached, 70,000 on acceptance


def _supplement(flow, contract, *, change, direction="increase", rows=None, end=None, doc=True, submit=True):
    case = services.supplement_start(contract=contract, actor=flow.o.clerk)
    if doc:
        flow.attach_required(case)  # 补充协议文本, a required attachment of the form
    if change:
        approval_services.case_update(case=case, actor=case.applicant, title=case.title, amount=change)
    if rows is None:
        open_terms = sum(t.amount for t in contract.terms.filter(is_active=True, reached_on__isnull=True))
        delta = D(change or 0) if direction == "increase" else -D(change or 0)
        rows = [{"kind": "acceptance", "name": "验收款", "percent": None, "amount": open_terms + delta, "trigger": "acceptance",
                 "due_date": None}]
    sup = services.supplement_set(case=case, actor=case.applicant, contract=contract, direction=direction,
                                  content="增加采购数量", new_end_date=end, terms=rows)
    if submit:
        approval_services.case_submit(case=case, actor=case.applicant)
        approve_all(case)
    sup.refresh_from_db()
    return sup


def test_an_increase_changes_amount_terms_end_date_and_commitment(flow, contract):
    end = contract.end_date + dt.timedelta(days=60)
    sup = _supplement(flow, contract, change="8000.00", end=end)
    contract.refresh_from_db()
    assert sup.status == Supplement.Status.APPLIED and sup.seq == 1
    assert contract.amount == D("108000.00") and contract.original_amount == D("100000.00") and contract.end_date == end
    active = contract.terms.filter(is_active=True)
    assert sum(t.amount for t in active) == D("108000.00")
    assert active.get(kind="advance").reached_on is not None  # the reached milestone is kept
    replaced = contract.terms.get(is_active=False)
    assert replaced.replaced_by == sup and replaced.amount == D("70000.00")
    assert line_figures(flow.line).contracted == D("108000.00")
    assert contract.history.filter(amount=D("108000.00")).exists()


def test_a_decrease_releases_the_commitment(flow, contract):
    _supplement(flow, contract, change="5000.00", direction="decrease")
    contract.refresh_from_db()
    assert contract.amount == D("95000.00")
    assert line_figures(flow.line).contracted == D("95000.00")


def test_increases_above_ten_percent_are_refused(flow, contract):
    _supplement(flow, contract, change="6000.00")
    contract.refresh_from_db()
    sup = _supplement(flow, contract, change="4500.00", submit=False)
    with pytest.raises(ApprovalError) as exc:
        approval_services.case_submit(case=sup.case, actor=sup.case.applicant)
    assert exc.value.code == "risk_block" and "CON-03" in exc.value.message
    assert "政府采购法第四十九条" in exc.value.message and "¥10,500.00" in exc.value.message
    sup.case.refresh_from_db()
    assert sup.case.status == sup.case.Status.DRAFT and not sup.case.number.endswith("-00000")
    contract.refresh_from_db()
    assert contract.amount == D("106000.00")


def test_the_limit_is_the_rules_parameter_for_the_form_and_the_scan(flow, contract):
    """One implementation: the administrator raises CON-03's share to 12%: the same 10.5% now
    passes on the form, and the scan reads the same figure."""
    from risk import engine
    from risk.models import RuleSetting

    rule = __import__("approvals.rules", fromlist=["get_rule"]).get_rule("CON-03")
    _supplement(flow, contract, change="6000.00")
    contract.refresh_from_db()
    engine.settings_for(rule)  # the row, made from the defaults
    RuleSetting.objects.filter(code="CON-03").update(params={"share": "12"})
    sup = _supplement(flow, contract, change="4500.00")
    contract.refresh_from_db()
    assert sup.status == Supplement.Status.APPLIED and contract.amount == D("110500.00")
    assert list(rule.scan({"share": D("12")})) == []
    (finding,) = rule.scan({"share": D("10")})
    assert finding.figures["increases"] == "10500.00" and finding.figures["share"] == "10.50"


def test_new_terms_must_add_up_to_the_new_amount(flow, contract):
    rows = [{"kind": "acceptance", "name": "", "percent": None, "amount": D("70000"), "trigger": "acceptance", "due_date": None}]
    with pytest.raises(ContractError) as exc:
        _supplement(flow, contract, change="8000.00", rows=rows, submit=False)
    assert exc.value.code == "terms_sum"
    assert not Supplement.objects.filter(contract=contract, status=Supplement.Status.DRAFT, new_amount=D("108000")).exists()


def test_the_agreement_text_is_required(flow, contract):
    sup = _supplement(flow, contract, change="1000.00", doc=False, submit=False)
    with pytest.raises(ApprovalError) as exc:
        approval_services.case_submit(case=sup.case, actor=sup.case.applicant)
    assert exc.value.code == "attachments_missing" and "补充协议文本" in exc.value.message
    # the check of the section itself, should the matter not require the attachment
    with pytest.raises(ContractError) as exc:
        services.supplement_check(supplement=sup, contract=contract)
    assert exc.value.code == "supplement_text_missing"


def test_terms_only_change(flow, contract):
    rows = [
        {"kind": "progress", "name": "到货款", "percent": None, "amount": D("40000"), "trigger": "acceptance", "due_date": None},
        {"kind": "retention", "name": "质保金", "percent": None, "amount": D("30000"), "trigger": "date",
         "due_date": flow.today + dt.timedelta(days=365)},
    ]
    _supplement(flow, contract, change=None, direction="terms", rows=rows)
    contract.refresh_from_db()
    assert contract.amount == D("100000.00")
    assert set(contract.terms.filter(is_active=True).values_list("kind", flat=True)) == {"advance", "progress", "retention"}


def test_supplement_form_is_prefilled_with_the_open_terms(flow, contract):
    case = services.supplement_start(contract=contract, actor=flow.o.clerk)
    sup = Supplement.objects.get(case=case)
    assert [t["kind"] for t in sup.proposed_terms] == ["acceptance"]
    assert sup.old_amount == contract.amount


def test_only_a_contract_in_force_can_be_supplemented(flow, contract):
    Contract.objects.filter(pk=contract.pk).update(status=Contract.Status.COMPLETED)
    contract.refresh_from_db()
    with pytest.raises(ContractError):
        services.supplement_start(contract=contract, actor=flow.o.clerk)
    assert PaymentTerm.objects.filter(contract=contract, is_active=False).count() == 0
