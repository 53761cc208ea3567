"""The catalogue's rules over procurement, contracts, payments, budget and approvals (BUD-01,
PRO-01..05, PRO-09, CON-01, CON-02, CON-05..08, GOV-01): each builds the offending facts and
finds exactly the expected finding, and the facts just under the threshold raise nothing.
Facts the services refuse are written around them (an administrator's correction, a
threshold changed since), as the scan must still report them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.contrib.contenttypes.models import ContentType

from approvals import rules
from approvals.models import Case
from budget import services as budget_services
from budget.models import CaseBudget, ControlMode
from contracts.models import Contract, PaymentTerm
from documents.models import Document
from payments.models import Payment as Disbursement
from procurement.models import Purchase, Quote

pytestmark = pytest.mark.django_db


def _scan(code, **params):
    rule = rules.get_rule(code)
    return list(rule.scan({**rule.defaults(), **params}))


def _draft(code, case):
    rule = rules.get_rule(code)
    return rule.check_draft(case, rule.defaults())


def _amount(case, value):
    Case.objects.filter(pk=case.pk).update(amount=D(value))
    case.refresh_from_db()


# --- PRO-01 split purchases ---------------------------------------------------------------------------------
def test_split_purchases_reaching_ninety_percent_of_the_limit_are_found_just_under_are_not(flow, office):
    a, b = flow.request("80000.00"), flow.request("80000.00", title="采购社区服务中心办公设备（二）")
    flow.purchase(a)
    flow.purchase(b)
    _amount(a, "450000.00")
    _amount(b, "449999.99")  # 899,999.99 of the goods' decentralised limit 1,000,000
    assert _scan("PRO-01") == []
    assert _draft("PRO-01", b) == []
    _amount(b, "450000.00")
    (finding,) = _scan("PRO-01")
    assert finding.records == (("org.unit", office.unit.pk),) and finding.part.endswith(":goods:办公设备")
    assert finding.figures == {"purchases": 2, "total": "900000.00", "limit": "1000000.00", "threshold": "90"}
    (draft,) = _draft("PRO-01", b)
    assert draft.key == finding.key


# --- PRO-02 amounts just below a threshold ------------------------------------------------------------------
def test_an_amount_within_five_percent_below_a_threshold_is_found_just_outside_is_not(flow):
    case = flow.request("94999.99")
    purchase = flow.purchase(case)
    assert _scan("PRO-02") == [] and _draft("PRO-02", case) == []
    _amount(case, "95000.00")  # 5% below the small-purchase limit 100,000
    (finding,) = _scan("PRO-02")
    assert finding.records == (("procurement.purchase", purchase.pk),)
    assert finding.figures["kind"] == "small_purchase" and finding.figures["below"] == "5.00"
    assert [f.key for f in _draft("PRO-02", case)] == [finding.key]


# --- PRO-03 method below what the amount requires ----------------------------------------------------------
def test_goods_at_the_open_tender_threshold_bought_otherwise_are_found_just_under_are_not(flow):
    case = flow.request()
    purchase = flow.purchase(case)
    _amount(case, "1999999.99")
    assert _scan("PRO-03") == []
    _amount(case, "2000000.00")
    (finding,) = _scan("PRO-03")
    assert finding.records == (("procurement.purchase", purchase.pk),) and finding.figures["limit"] == "2000000.00"
    Purchase.objects.filter(pk=purchase.pk).update(deviation_approval="深财购〔2026〕12号")  # the recorded approval
    assert _scan("PRO-03") == []


# --- PRO-04 single-source share ----------------------------------------------------------------------------
def test_single_source_above_twenty_percent_of_the_units_purchases_is_found(flow, office, today):
    big, small = flow.request("80000.00"), flow.request("20000.00", title="专用软件升级")
    flow.purchase(big)
    single = flow.purchase(small)
    Purchase.objects.filter(pk=single.pk).update(
        method="single_source", single_source_reason="only_one", justification="该软件著作权人唯一，只能由其升级。",
        publicity_start=today, publicity_end=today + dt.timedelta(days=7), publicity_place="中国政府采购网")
    assert _scan("PRO-04") == []  # exactly 20%
    _amount(small, "20000.01")
    (finding,) = _scan("PRO-04")
    assert finding.records == (("org.unit", office.unit.pk),) and finding.figures["share"] == "20.00"
    Purchase.objects.filter(pk=single.pk).update(justification="")
    assert {f.part for f in _scan("PRO-04")} == {f"{today.year}:single_source", "unjustified"}


# --- PRO-05 too few quotes ---------------------------------------------------------------------------------
def test_an_inquiry_with_two_valid_quotes_is_found_three_raise_nothing(flow):
    case = flow.request()
    flow.purchase(case)
    award = flow.quotes(case)
    assert _scan("PRO-05") == []
    quote = Quote.objects.filter(purchase=award.purchase).first()
    Document.objects.filter(owner_type=ContentType.objects.get_for_model(Quote), owner_id=quote.pk).delete()
    (finding,) = _scan("PRO-05")
    assert finding.records == (("procurement.purchase", award.purchase_id),) and finding.figures == {"quotes": 2, "threshold": 3}


# --- PRO-09 works that must be tendered --------------------------------------------------------------------
def test_works_of_four_million_not_tendered_are_found_just_under_are_not(flow):
    case = flow.request()
    purchase = flow.purchase(case)
    Purchase.objects.filter(pk=purchase.pk).update(category="works", item_class="社区道路改造")
    _amount(case, "3999999.99")
    assert _scan("PRO-09") == []
    _amount(case, "4000000.00")
    (finding,) = _scan("PRO-09")
    assert finding.records == (("procurement.purchase", purchase.pk),) and finding.figures["limit"] == "4000000.00"
    # supervision services reach their own figure
    Purchase.objects.filter(pk=purchase.pk).update(category="services", item_class="工程监理服务")
    _amount(case, "999999.99")
    assert _scan("PRO-09") == []
    _amount(case, "1000000.00")
    assert [f.figures["limit"] for f in _scan("PRO-09")] == ["1000000.00"]
    Purchase.objects.filter(pk=purchase.pk).update(method="open_tender")
    assert _scan("PRO-09") == []


# --- contracts and payments ---------------------------------------------------------------------------------
@pytest.fixture
def paid_advance(flow):
    """A contract of 76,000 (30% advance on signing, 70% on acceptance) whose advance is paid."""
    _case, contract = flow.full_contract()
    advance = contract.terms.get(kind="advance")
    payment = flow.payment_case(contract, "22800.00", term=advance)
    flow.pay(payment)
    contract.refresh_from_db()
    return contract, advance, payment


def test_payments_above_the_contract_amount_are_found_up_to_it_nothing(paid_advance):
    contract, _advance, _payment = paid_advance
    Contract.objects.filter(pk=contract.pk).update(amount=D("22800.00"))  # paid exactly the amount
    assert _scan("CON-01") == []
    Contract.objects.filter(pk=contract.pk).update(amount=D("22799.99"))
    (finding,) = _scan("CON-01")
    assert finding.records == (("contracts.contract", contract.pk),) and finding.figures["over"] == "0.01"


def test_a_payment_before_its_milestone_is_found(paid_advance, today):
    contract, advance, payment = paid_advance
    assert _scan("CON-02") == []  # the advance was reached on signing
    PaymentTerm.objects.filter(pk=advance.pk).update(reached_on=today + dt.timedelta(days=1))
    (finding,) = _scan("CON-02")
    assert finding.records == (("contracts.contract", contract.pk), ("approvals.case", payment.case_id))


def test_a_contract_ending_within_thirty_days_with_unpaid_milestones_is_found(paid_advance, today):
    contract, _advance, _payment = paid_advance
    Contract.objects.filter(pk=contract.pk).update(end_date=today + dt.timedelta(days=31))
    assert _scan("CON-05") == []
    Contract.objects.filter(pk=contract.pk).update(end_date=today + dt.timedelta(days=30))
    (finding,) = _scan("CON-05")
    assert finding.part == "ending" and finding.records == (("contracts.contract", contract.pk),)
    Contract.objects.filter(pk=contract.pk).update(signed_on=today - dt.timedelta(days=200),
                                                   start_date=today - dt.timedelta(days=200),
                                                   end_date=today - dt.timedelta(days=1))
    (finding,) = _scan("CON-05")
    assert finding.part == "overdue" and "¥53,200.00" in finding.message


def test_an_sme_milestone_unpaid_more_than_thirty_days_after_acceptance_is_found(flow, today):
    _case, contract = flow.full_contract()
    assert contract.supplier.is_sme
    final = contract.terms.get(kind="acceptance")
    PaymentTerm.objects.filter(pk=final.pk).update(reached_on=today - dt.timedelta(days=30))
    advance = contract.terms.get(kind="advance")
    PaymentTerm.objects.filter(pk=advance.pk).update(reached_on=today)
    assert _scan("CON-06") == []
    PaymentTerm.objects.filter(pk=final.pk).update(reached_on=today - dt.timedelta(days=31))
    (finding,) = _scan("CON-06")
    assert finding.records == (("contracts.contract", contract.pk), ("contracts.paymentterm", final.pk))
    assert finding.figures["days"] == 31
    type(contract.supplier).objects.filter(pk=contract.supplier_id).update(is_sme=False)
    assert _scan("CON-06") == []


def test_retention_over_three_percent_of_a_works_contract_is_found(flow):
    _case, contract = flow.full_contract()
    Contract.objects.filter(pk=contract.pk).update(category="works")
    advance = contract.terms.get(kind="advance")
    PaymentTerm.objects.filter(pk=advance.pk).update(kind="retention", amount=D("2280.00"))  # 3% of 76,000
    assert _scan("CON-08") == []
    PaymentTerm.objects.filter(pk=advance.pk).update(amount=D("2280.01"))
    (finding,) = _scan("CON-08")
    assert finding.records == (("contracts.contract", contract.pk),) and finding.figures["share"] == "3.00"
    assert [f.key for f in _draft("CON-08", contract.case)] == [finding.key]


def _disbursement(case, office, supplier, amount, paid_on, *, code="", number=""):
    return Disbursement.objects.create(case=case, source_key="reimbursement", payee_kind="supplier", payee_name=supplier.name,
                                       payee_ref=supplier.pk, bank_account=supplier.bank_account, amount=D(amount),
                                       invoice_code=code, invoice_number=number, paid_on=paid_on, paid_by=office.cashier)


def test_the_same_amount_to_one_supplier_within_thirty_days_is_a_duplicate_after_thirty_one_not(flow, office, today):
    case, supplier = flow.request(), flow.suppliers[0]
    first = _disbursement(case, office, supplier, "5000.00", today - dt.timedelta(days=31))
    _disbursement(case, office, supplier, "5000.00", today)
    _disbursement(case, office, flow.suppliers[1], "5000.00", today)  # another supplier
    assert _scan("CON-07") == []
    Disbursement.objects.filter(pk=first.pk).update(paid_on=today - dt.timedelta(days=30))
    (finding,) = _scan("CON-07")
    assert finding.figures["why"] == "amount" and finding.records[0] == ("payments.payment", first.pk)


def test_one_invoice_number_paid_twice_under_two_codes_is_a_duplicate(flow, office, today):
    case, supplier = flow.request(), flow.suppliers[0]
    _disbursement(case, office, supplier, "5000.00", today - dt.timedelta(days=90), code="044031900111", number="12345678")
    _disbursement(case, office, supplier, "4800.00", today, code="044031900112", number="12345679")
    assert _scan("CON-07") == []
    second = _disbursement(case, office, supplier, "4700.00", today, code="044031900113", number="12345678")
    (finding,) = _scan("CON-07")
    assert finding.figures["why"] == "invoice" and finding.records[1] == ("payments.payment", second.pk)


# --- budget and governance ------------------------------------------------------------------------------------
def test_a_money_form_without_a_budget_line_or_over_its_line_is_found(flow, office, today):
    case = flow.request()
    assert _scan("BUD-01") == [] and _draft("BUD-01", case) == []
    CaseBudget.objects.filter(case=case).delete()
    (finding,) = _scan("BUD-01")
    assert finding.records == (("approvals.case", case.pk),) and finding.part == "no_line"
    assert [f.key for f in _draft("BUD-01", case)] == [finding.key]
    CaseBudget.objects.filter(case=case).delete()
    Case.objects.filter(pk=case.pk).update(status=Case.Status.REJECTED)
    line = budget_services.budget_line_create(
        year=today.year, unit=office.unit, project="软控制项目", functional_code="2010301", functional_name="行政运行",
        economic_code="30201", economic_name="办公费", amount=D("1000.00"), control_mode=ControlMode.WARN)
    budget_services.budget_execute(line=line, amount=D("1000.00"), source=office.unit, actor=office.accountant)
    assert _scan("BUD-01") == []  # used exactly what it has
    budget_services.budget_execute(line=line, amount=D("0.01"), source=office.unit, actor=office.accountant)
    (finding,) = _scan("BUD-01")
    assert finding.records == (("budget.budgetline", line.pk),) and finding.figures["over"] == "0.01"


def test_a_case_of_the_collective_amount_approved_without_a_meeting_is_found(flow):
    case = flow.request()  # approved by the unit head and finance: no meeting on its route
    Case.objects.filter(pk=case.pk).update(status=Case.Status.APPROVED)
    _amount(case, "299999.99")
    assert _scan("GOV-01") == []
    _amount(case, "300000.00")
    (finding,) = _scan("GOV-01")
    assert finding.records == (("approvals.case", case.pk),) and finding.figures["threshold"] == "300000"
