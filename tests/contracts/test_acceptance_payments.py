"""Acceptance unlocks milestones; payments are capped by what the reached milestones allow,
need an invoice that is paid once, never go to a blacklisted supplier, are paid by a cashier
who neither applied nor approved, and execute the budget line."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from approvals import registry
from approvals import services as approval_services
from approvals.models import Case
from budget.models import BudgetMovement
from budget.selectors import line_figures
from contracts import services
from contracts.exceptions import ContractError
from contracts.models import Acceptance, Contract, Payment, PaymentTerm
from payments.models import Payment as Disbursement
from procurement import services as procurement_services

from tests.procurement.conftest import approve_all


@pytest.fixture
def contract(flow):
    _case, contract = flow.full_contract()
    return contract  # 76,000: advance 30% (reached on signing), 70% on acceptance


# --- acceptance --------------------------------------------------------------------------------------
def test_acceptance_by_a_single_person_from_the_unit_is_refused_and_nothing_saved(flow, contract):
    with pytest.raises(ContractError) as exc:
        flow.acceptance(contract.case, members=[flow.o.clerk], approve=False)
    assert exc.value.code == "acceptance_team"
    assert "公共服务办公室" in exc.value.message
    assert not Acceptance.objects.filter(case=contract.case).exists()


def test_two_people_of_the_requesting_unit_are_not_enough(flow, contract):
    with pytest.raises(ContractError) as exc:
        flow.acceptance(contract.case, members=[flow.o.clerk, flow.o.clerk2], approve=False)
    assert exc.value.code == "acceptance_team"


def test_acceptance_unlocks_its_milestones_once_approved(flow, contract):
    acc = flow.acceptance(contract.case, approve=False)
    term = contract.terms.get(kind="acceptance")
    approval_services.case_submit(case=contract.case, actor=contract.case.applicant)
    term.refresh_from_db()
    assert term.reached_on is None  # not before the approval
    approve_all(contract.case)
    acc.refresh_from_db()
    term.refresh_from_db()
    assert acc.status == Acceptance.Status.CONFIRMED and term.reached_on == flow.today and term.acceptance == acc
    contract.case.refresh_from_db()
    assert contract.case.status == Case.Status.APPROVED


def test_the_acceptance_report_is_required(flow, contract):
    flow.acceptance(contract.case, doc=False, approve=False)
    with pytest.raises(ContractError) as exc:
        approval_services.case_submit(case=contract.case, actor=contract.case.applicant)
    assert exc.value.code == "report_missing"


def test_a_failed_acceptance_unlocks_nothing(flow, contract):
    with pytest.raises(ContractError):
        flow.acceptance(contract.case, result="failed", approve=False)
    flow.acceptance(contract.case, result="failed", terms=[])
    assert contract.terms.get(kind="acceptance").reached_on is None


# --- payments ----------------------------------------------------------------------------------------
def test_payment_form_is_prefilled_from_the_next_due_milestone(flow, contract):
    case = services.payment_request_start(contract=contract, actor=flow.o.clerk)
    payment = Payment.objects.get(case=case)
    assert case.amount == D("22800.00") and payment.term.kind == "advance"
    assert registry.get("payment").initial(case, flow.o.clerk)["term"] == payment.term_id


def test_a_payment_within_the_reached_milestones_is_approved_and_paid(flow, contract):
    payment = flow.payment_case(contract, "22800.00")
    assert payment.status == Payment.Status.APPROVED
    flow.pay(payment)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID and payment.paid_by == flow.o.cashier
    fig = line_figures(flow.line)
    assert fig.paid == D("22800.00") and fig.contracted == D("76000.00") - D("22800.00")
    # executed by the desk's payment record, which names the contract payment it pays
    desk = Disbursement.objects.get(source_key="contract", source_id=payment.pk)
    assert desk.amount == D("22800.00") and desk.payee_ref == contract.supplier_id
    assert BudgetMovement.objects.filter(kind="execute", source_id=desk.pk).get().amount == D("22800.00")


def test_a_payment_above_what_the_milestones_allow_is_refused_naming_the_rule(flow, contract):
    payment = flow.payment_case(contract, "30000.00", submit=False)
    with pytest.raises(ContractError) as exc:
        approval_services.case_submit(case=payment.case, actor=payment.case.applicant)
    assert exc.value.code == "above_allowed"
    assert "¥22,800.00" in exc.value.message and "CON-01" in exc.value.message
    payment.refresh_from_db()
    assert payment.status == Payment.Status.DRAFT
    assert Case.objects.get(pk=payment.case_id).status == Case.Status.DRAFT


def test_payments_in_approval_count_against_the_cap(flow, contract):
    flow.payment_case(contract, "20000.00", approve=False)
    second = flow.payment_case(contract, "2800.01", invoice="44035678", submit=False)
    with pytest.raises(ContractError) as exc:
        approval_services.case_submit(case=second.case, actor=second.case.applicant)
    assert exc.value.code == "above_allowed" and "¥2,800.00" in exc.value.message


def test_an_unreached_milestone_cannot_be_paid(flow, contract):
    term = contract.terms.get(kind="acceptance")
    payment = flow.payment_case(contract, "1000.00", term=term, submit=False)
    with pytest.raises(ContractError) as exc:
        approval_services.case_submit(case=payment.case, actor=payment.case.applicant)
    assert exc.value.code == "term_not_reached" and "CON-02" in exc.value.message


def test_the_same_invoice_cannot_be_paid_twice(flow, contract):
    first = flow.payment_case(contract, "10000.00", invoice="44039999")
    flow.pay(first)
    dup = flow.payment_case(contract, "10000.00", invoice="44039999", submit=False)
    with pytest.raises(ContractError) as exc:
        approval_services.case_submit(case=dup.case, actor=dup.case.applicant)
    assert exc.value.code == "duplicate_invoice" and first.case.number in exc.value.message
    assert Payment.objects.filter(invoice_number="44039999", status=Payment.Status.PAID).count() == 1


def test_a_cancelled_payment_frees_its_invoice(flow, contract):
    first = flow.payment_case(contract, "10000.00", invoice="44038888", approve=False)
    approval_services.case_withdraw(case=first.case, actor=first.case.applicant)
    first.refresh_from_db()
    assert first.status == Payment.Status.CANCELLED
    again = flow.payment_case(contract, "10000.00", invoice="44038888")
    assert again.status == Payment.Status.APPROVED


def test_invoice_details_are_required(flow, contract):
    payment = flow.payment_case(contract, "1000.00", invoice="", submit=False)
    with pytest.raises(ContractError) as exc:
        approval_services.case_submit(case=payment.case, actor=payment.case.applicant)
    assert exc.value.code == "invoice_missing"


def test_an_invoice_smaller_than_the_payment_is_refused(flow, contract):
    payment = flow.payment_case(contract, "10000.00", invoice_amount="9000.00", submit=False)
    with pytest.raises(ContractError) as exc:
        approval_services.case_submit(case=payment.case, actor=payment.case.applicant)
    assert exc.value.code == "invoice_short"


def test_no_payment_to_a_blacklisted_supplier(flow, contract):
    procurement_services.supplier_blacklist(supplier=contract.supplier, actor=flow.o.heads["cgzx"], reason="严重违约，列入失信名单")
    payment = flow.payment_case(contract, "1000.00", submit=False)
    with pytest.raises(ContractError) as exc:
        approval_services.case_submit(case=payment.case, actor=payment.case.applicant)
    assert exc.value.code == "blacklisted" and contract.supplier.name in exc.value.message


def test_a_supplier_blacklisted_after_approval_is_not_paid(flow, contract):
    payment = flow.payment_case(contract, "1000.00")
    procurement_services.supplier_blacklist(supplier=contract.supplier, actor=flow.o.heads["cgzx"], reason="失信")
    with pytest.raises(ContractError) as exc:
        flow.pay(payment)
    assert exc.value.code == "blacklisted"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.APPROVED
    assert not BudgetMovement.objects.filter(kind="execute").exists()


def test_only_a_cashier_pays(flow, contract):
    payment = flow.payment_case(contract, "1000.00")
    with pytest.raises(ContractError) as exc:
        flow.pay(payment, cashier=flow.o.accountant)
    assert exc.value.code == "not_cashier"


def test_the_cashier_must_not_have_approved_the_payment(flow, contract, office):
    from org.models import Role

    office.finance_reviewer.roles = [Role.FINANCE_REVIEWER, Role.CASHIER]
    office.finance_reviewer.save()
    payment = flow.payment_case(contract, "1000.00")
    with pytest.raises(ContractError) as exc:
        flow.pay(payment, cashier=office.finance_reviewer)
    assert exc.value.code == "incompatible_duties"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.APPROVED


def test_the_cashier_must_not_be_the_applicant(flow, contract, office):
    from org.models import Role

    office.clerk.roles = [Role.CLERK, Role.CASHIER]
    office.clerk.save()
    payment = flow.payment_case(contract, "1000.00")
    with pytest.raises(ContractError) as exc:
        flow.pay(payment, cashier=office.clerk)
    assert exc.value.code == "incompatible_duties"


def test_a_payment_is_paid_once(flow, contract):
    payment = flow.payment_case(contract, "1000.00")
    flow.pay(payment)
    with pytest.raises(ContractError) as exc:
        flow.pay(payment)
    assert exc.value.code == "already_paid"
    assert BudgetMovement.objects.filter(kind="execute").count() == 1


def test_paying_every_milestone_completes_the_contract(flow, contract):
    flow.pay(flow.payment_case(contract, "22800.00"))
    flow.acceptance(contract.case)
    flow.pay(flow.payment_case(contract, "53200.00", term=contract.terms.get(kind="acceptance"), invoice="44030002"))
    contract.refresh_from_db()
    assert contract.status == Contract.Status.COMPLETED
    fig = line_figures(flow.line)
    assert fig.paid == D("76000.00") and fig.contracted == D("0.00")


def test_the_retention_is_payable_on_its_release_date(flow, today):
    import datetime as dt

    case = flow.request("80000.00")
    flow.purchase(case)
    flow.quotes(case)
    terms = [
        {"kind": "acceptance", "name": "", "percent": D("97"), "amount": None, "trigger": "acceptance", "due_date": None},
        {"kind": "retention", "name": "质保金", "percent": D("3"), "amount": None, "trigger": "date",
         "due_date": today + dt.timedelta(days=30)},
    ]
    contract = flow.contract(case, terms=terms)
    flow.acceptance(case)
    retention = contract.terms.get(kind="retention")
    assert not retention.is_reached(today) and retention.is_reached(today + dt.timedelta(days=30))
    payment = flow.payment_case(contract, "2280.00", term=retention, submit=False)
    with pytest.raises(ContractError):
        approval_services.case_submit(case=payment.case, actor=payment.case.applicant)
    PaymentTerm.objects.filter(pk=retention.pk).update(due_date=today)
    approval_services.case_submit(case=payment.case, actor=payment.case.applicant)


def test_the_new_payment_form_checks_the_amount_as_it_is_typed(client, flow, contract, catalogue):
    client.force_login(flow.o.clerk)
    term = contract.terms.get(kind="advance")
    url = reverse("approvals:preview", args=[catalogue["HT-FK"].pk])
    body = client.get(url, {"amount": "30000", "payment-term": term.pk}).content.decode()
    assert contract.number in body and "¥22,800.00" in body
    body = client.get(url, {"amount": "30000"}).content.decode()
    assert contract.number not in body


def test_a_further_acceptance_through_its_own_form(flow, contract, catalogue):
    """工程验收 (GC-YS) on its own: for a contract whose own case has moved on."""
    case = approval_services.case_create(matter=catalogue["GC-YS"], applicant=flow.o.clerk, title="阶段验收")
    registry.get("acceptance").form_class(case=case, user=flow.o.clerk)  # the contract is chosen on the form
    flow.attach_required(case)  # 验收报告, a required attachment of the form
    term = contract.terms.get(kind="acceptance")
    services.acceptance_set(case=case, actor=flow.o.clerk, contract=contract, accepted_on=flow.today, result="passed",
                          opinion="合格", members=[flow.o.clerk, flow.o.supervisor], terms=[term])
    approval_services.case_submit(case=case, actor=flow.o.clerk)
    approve_all(case)
    term.refresh_from_db()
    assert term.reached_on == flow.today
    assert Acceptance.objects.get(case=case).status == Acceptance.Status.CONFIRMED
