"""Payment totals never exceed contract amounts (hypothesis, stateful): a contract with
generated payment terms is put in force through ``contracts/services.py`` (contract text
attached, submitted, countersigned — the budget line committed); then any sequence of
payment requests (any milestone, any amount, good or short invoices, a reused invoice
number), approvals, cashier payments, cancellations and an acceptance that unlocks the
acceptance milestones keeps:

* paid ≤ held (submitted + approved + paid) ≤ the contract amount;
* per milestone, what is held ≤ the milestone's amount, and only reached milestones hold money;
* an invoice number is held by at most one payment of the supplier;
* the contract's hard budget line is never overdrawn.

A refused step raises a contract (or budget) error and changes no payment."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from approvals import demo as approvals_demo
from approvals.exceptions import ApprovalError
from approvals.models import Case, Matter
from budget import selectors as budget_selectors
from budget import services as budget_services
from budget.models import ControlMode
from contracts import services
from contracts.models import Contract, DocKind, Payment, PaymentTerm
from documents import services as document_services
from procurement import demo as procurement_demo
from procurement.models import Supplier
from procurement.validators import make_credit_code

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_n = itertools.count(1)
HOLDING = list(Payment.HOLDING)


@st.composite
def contract_terms(draw):
    """(amount, [term rows]) with the rows adding up to the amount, to the fen."""
    cents = draw(st.integers(min_value=100_00, max_value=500_000_00))
    k = draw(st.integers(min_value=1, max_value=4))
    cuts = sorted(draw(st.lists(st.integers(1, cents - 1), min_size=k - 1, max_size=k - 1, unique=True)))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, cents])]
    today = timezone.localdate()
    rows = []
    for i, part in enumerate(parts, start=1):
        trigger = draw(st.sampled_from(["signing", "date_past", "date_future", "acceptance"]))
        due = None
        if trigger.startswith("date"):
            due = today - dt.timedelta(days=3) if trigger == "date_past" else today + dt.timedelta(days=30)
            trigger = "date"
        kind = {"signing": "advance", "date": "progress", "acceptance": "acceptance"}[trigger]
        rows.append({"kind": kind, "name": f"第{i}期", "percent": None, "amount": Decimal(part) / 100,
                     "trigger": trigger, "due_date": due})
    return Decimal(cents) / 100, rows


class ContractPayments(RuleBasedStateMachine):
    office = None
    supplier = None

    payments = Bundle("payments")

    def _case(self, code, amount, stage=0) -> Case:
        matter = Matter.objects.get(code=code)
        n = next(_n)
        return Case.objects.create(number=f"XQ-PP-{n:06d}", year=timezone.localdate().year, matter=matter,
                                   category=matter.category, unit=self.office.unit, applicant=self.office.clerk,
                                   title=f"付款属性{n}", amount=amount, stage=stage)

    @initialize(spec=contract_terms())
    def sign_contract(self, spec):
        amount, rows = spec
        o = self.office
        today = timezone.localdate()
        self.line = budget_services.budget_line_create(
            year=today.year, unit=o.unit, project=f"合同属性{next(_n)}", functional_code="2010301", functional_name="行政运行",
            economic_code="30227", economic_name="委托业务费", amount=Decimal("600000.00"), control_mode=ControlMode.HARD,
        )
        case = self._case("HT-SP", amount, stage=1)  # the contract stage of a 合同审批 form
        budget_services.case_budget_set(case=case, line=self.line)
        contract = services.contract_set(case=case, actor=o.clerk, title="物业服务合同", category="other", amount=amount,
                                         signed_on=today, start_date=today, end_date=today + dt.timedelta(days=365),
                                         terms=rows, supplier=self.supplier)
        document_services.attach(owner=contract, kind=DocKind.CONTRACT_TEXT, actor=o.clerk,
                                             upload=SimpleUploadedFile("合同.pdf", PDF, content_type="application/pdf"))
        services.contract_submit(case=case)
        Case.objects.filter(pk=case.pk).update(status=Case.Status.IN_PROGRESS)
        services.contract_approved(case=case, actor=o.head)
        self.contract = Contract.objects.get(pk=contract.pk)
        self.contract_case = case
        assert self.contract.status == Contract.Status.ACTIVE

    def _attempt(self, fn):
        before = list(Payment.objects.filter(contract=self.contract).order_by("pk").values_list("pk", "status", "amount"))
        try:
            fn()
            event("accepted")
            return True
        except ApprovalError:  # ContractError and BudgetError are both ApprovalError
            event("refused")
            after = list(Payment.objects.filter(contract=self.contract).order_by("pk").values_list("pk", "status", "amount"))
            assert after == before, "a refused step changed payments"
            return False

    @rule(target=payments, term_index=st.integers(0, 3), share=st.fractions(min_value=0, max_value=1.3),
          short_invoice=st.booleans())
    def request(self, term_index, share, short_invoice):
        terms = list(self.contract.terms.filter(is_active=True).order_by("seq"))
        term = terms[term_index % len(terms)]
        amount = max(Decimal("0.01"), (term.amount * Decimal(share.numerator) / Decimal(share.denominator)).quantize(Decimal("0.01")))
        case = self._case("HT-FK", amount)
        invoice = amount - Decimal("0.01") if short_invoice and amount > Decimal("0.01") else amount
        payment = services.payment_set(case=case, actor=self.office.clerk, term=term, invoice_number=f"INV{next(_n):08d}",
                                       invoice_date=timezone.localdate(), invoice_amount=invoice)
        self._attempt(lambda: services.payment_submit(case=case))
        return payment

    @rule(payment=payments, other=payments)
    def reuse_an_invoice_number(self, payment, other):
        """A second request with an invoice number another payment of the supplier used."""
        used = Payment.objects.get(pk=other.pk).invoice_number
        case = self._case("HT-FK", Decimal("1.00"))
        services.payment_set(case=case, actor=self.office.clerk, term=Payment.objects.get(pk=payment.pk).term,
                             invoice_number=used, invoice_date=timezone.localdate(), invoice_amount=Decimal("1.00"))
        self._attempt(lambda: services.payment_submit(case=case))

    @rule(payment=payments)
    def approve(self, payment):
        services.payment_approved(case=payment.case)

    @rule(payment=payments)
    def pay(self, payment):
        self._attempt(lambda: services.payment_pay(payment=Payment.objects.get(pk=payment.pk), actor=self.office.cashier))

    @rule(payment=payments)
    def approve_and_pay(self, payment):
        services.payment_approved(case=payment.case)
        self._attempt(lambda: services.payment_pay(payment=Payment.objects.get(pk=payment.pk), actor=self.office.cashier))

    @rule(payment=payments)
    def reject_or_withdraw(self, payment):
        services.payment_cancel(case=payment.case)

    @rule()
    def accept_the_work(self):
        """A passed acceptance unlocks the acceptance milestones not reached yet."""
        pending = list(self.contract.terms.filter(is_active=True, trigger="acceptance", reached_on__isnull=True))
        if not pending:
            return
        case = self.contract_case
        Case.objects.filter(pk=case.pk).update(stage=2, status=Case.Status.DRAFT)  # the acceptance stage is next
        o = self.office
        acceptance = services.acceptance_set(case=case, actor=o.clerk, accepted_on=timezone.localdate(), result="passed",
                                             opinion="合格", members=[o.clerk2, o.heads["cgzx"]], terms=pending)
        document_services.attach(owner=acceptance, kind=DocKind.ACCEPTANCE_REPORT, actor=o.clerk,
                                             upload=SimpleUploadedFile("验收报告.pdf", PDF, content_type="application/pdf"))
        Case.objects.filter(pk=case.pk).update(status=Case.Status.IN_PROGRESS)
        self._attempt(lambda: services.acceptance_submit(case=case))
        services.acceptance_approved(case=case)

    @invariant()
    def totals_within_the_contract(self):
        if not hasattr(self, "contract"):
            return
        contract = Contract.objects.get(pk=self.contract.pk)
        mine = Payment.objects.filter(contract=contract)
        held = mine.filter(status__in=HOLDING).aggregate(t=Sum("amount"))["t"] or Decimal("0")
        paid = mine.filter(status=Payment.Status.PAID).aggregate(t=Sum("amount"))["t"] or Decimal("0")
        assert paid <= held <= contract.amount, (paid, held, contract.amount)
        today = timezone.localdate()
        for term in PaymentTerm.objects.filter(contract=contract):
            on_term = mine.filter(term=term, status__in=HOLDING).aggregate(t=Sum("amount"))["t"] or Decimal("0")
            assert on_term <= term.amount, (term, on_term)
            if on_term:
                assert term.is_reached(today), f"money held on {term} before it was reached"
        numbers = list(mine.filter(status__in=HOLDING).values_list("invoice_number", flat=True))
        assert len(numbers) == len(set(numbers)), numbers
        assert budget_selectors.line_figures(self.line).available >= 0


def test_payments_never_exceed_the_contract(office):
    approvals_demo.seed()
    procurement_demo.configure_matters()
    procurement_demo.seed_thresholds()
    ContractPayments.office = office
    ContractPayments.supplier = Supplier.objects.create(
        name="深圳市属性测试物业有限公司", credit_code=make_credit_code(area="440306", org8="MA5FP001"),
        bank_account="4000023009200012345")
    run_state_machine_as_test(
        ContractPayments,
        settings=settings(max_examples=25, stateful_step_count=20, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]),
    )
