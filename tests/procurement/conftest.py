"""Fixtures of the procurement and contract tests: the matter catalogue with our stages, the
thresholds table, suppliers, a budget line, and ``flow`` — helpers that take a case through
each stage with the real services (approvals routing included)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from approvals import demo as approvals_demo
from approvals import services as approval_services
from approvals.models import Case, Matter
from budget import services as budget_services
from budget.models import ControlMode
from contracts import services as contract_services
from contracts.models import Contract, DocKind, Payment, PaymentTerm
from documents import services as document_services
from procurement import demo as procurement_demo
from procurement import services as procurement_services
from procurement.models import Purchase, Supplier
from procurement.models import DocKind as ProcurementDocKind
from tests.procurement.factories import SupplierFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
D = Decimal


def pdf(name="材料.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def holders(case):
    case.refresh_from_db()
    if not case.current_step_id:
        return []
    return [a.user for a in case.current_step.assignees.filter(round=case.round, decision="").select_related("user")]


def stored_pdf(name):
    """A file stored the way the approvals pages store uploads (before the transaction)."""
    from documents.checks import check_upload

    f = pdf(name)
    return approval_services.store_upload(f, check_upload(f))


def approve_all(case, *, comment="同意。"):
    """Approve every remaining step of the current stage as its first holder; a collective
    decision (三重一大) records its meeting and minutes."""
    from approvals.models import StepKind

    for _ in range(20):
        people = holders(case)
        if not people or case.status != Case.Status.IN_PROGRESS:
            break
        extra = {}
        if case.current_step.kind == StepKind.COLLECTIVE:
            extra = {"meeting_date": timezone.localdate(), "meeting_name": "党工委会议", "minutes": stored_pdf("会议纪要.pdf")}
        approval_services.case_approve(case=case, actor=people[0], comment=comment, **extra)
        case.refresh_from_db()
    case.refresh_from_db()
    return case


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files of a test go to its own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def catalogue(office):
    approvals_demo.seed()
    procurement_demo.configure_matters()
    procurement_demo.seed_thresholds()
    return {m.code: m for m in Matter.objects.all()}


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def line(office, today):
    return budget_services.budget_line_create(
        year=today.year, unit=office.unit, project="社区服务设施", functional_code="2010301", functional_name="行政运行",
        economic_code="31002", economic_name="办公设备购置", amount=D("1000000.00"), control_mode=ControlMode.HARD,
    )


def make_supplier(n: int, **extra) -> Supplier:
    return SupplierFactory(n=n, **extra)


@pytest.fixture
def suppliers(db):
    return [make_supplier(i) for i in range(1, 5)]


class Flow:
    """Move cases through the stages with the services, as the people would."""

    def __init__(self, office, catalogue, line, suppliers):
        self.o = office
        self.catalogue = catalogue
        self.line = line
        self.suppliers = suppliers
        self.today = timezone.localdate()

    # --- procurement case ---------------------------------------------------------------
    def request(self, amount="80000.00", *, applicant=None, title="采购社区服务中心办公设备", line=None):
        applicant = applicant or self.o.clerk
        case = approval_services.case_create(matter=self.catalogue["CG-SQ"], applicant=applicant, title=title,
                                             reason="社区服务中心新增工位", amount=amount)
        budget_services.case_budget_set(case=case, line=line or self.line)
        self.attach_required(case)  # the matter requires 采购需求
        approval_services.case_submit(case=case, actor=applicant)
        return approve_all(case)

    def attach_required(self, case):
        """The form's required materials, uploaded as on the form."""
        with transaction.atomic():
            approval_services.attach_stored(case, [(k, stored_pdf(f"{k}.pdf")) for k in case.matter.required_attachments],
                                            case.applicant)

    def purchase(self, case, *, category="goods", method="internal_inquiry", approve=True, **extra):
        procurement_services.purchase_set(case=case, actor=case.applicant, category=category, item_class="办公设备",
                                          method=method, **extra)
        if approve:
            approval_services.case_submit(case=case, actor=case.applicant)
            approve_all(case)
        return Purchase.objects.get(case=case)

    def quotes(self, case, prices=("76000.00", "79000.00", "81500.00"), *, winner=0, amount=None, docs=True,
               reason="最低价且满足需求", approve=True):
        rows = [{"supplier": self.suppliers[i], "amount": D(p), "quoted_on": self.today, "note": ""} for i, p in enumerate(prices)]
        award = procurement_services.award_set(case=case, actor=case.applicant, quotes=rows, winner=self.suppliers[winner],
                                               amount=D(amount) if amount else D(prices[winner]), reason=reason)
        if docs:
            for q in award.purchase.quotes.all():
                document_services.attach(owner=q, kind=ProcurementDocKind.QUOTE, upload=pdf("报价单.pdf"), actor=case.applicant)
        if approve:
            approval_services.case_submit(case=case, actor=case.applicant)
            approve_all(case)
        award.refresh_from_db()
        return award

    def contract(self, case, *, amount="76000.00", terms=None, approve=True, doc=True, category="goods", supplier=None):
        amount = D(amount)
        terms = terms or [
            {"kind": "advance", "name": "预付款", "percent": D("30"), "amount": None, "trigger": "signing", "due_date": None},
            {"kind": "acceptance", "name": "验收款", "percent": D("70"), "amount": None, "trigger": "acceptance",
             "due_date": self.today + dt.timedelta(days=20)},
        ]
        contract = contract_services.contract_set(
            case=case, actor=case.applicant, title=case.title, category=category, amount=amount, signed_on=self.today,
            start_date=self.today, end_date=self.today + dt.timedelta(days=180), summary="交货期30天，质保一年", terms=terms,
            supplier=supplier,
        )
        if doc:
            document_services.attach(owner=contract, kind=DocKind.CONTRACT_TEXT, upload=pdf("合同.pdf"),
                                                 actor=case.applicant)
        if approve:
            approval_services.case_submit(case=case, actor=case.applicant)
            approve_all(case)
        contract.refresh_from_db()
        return contract

    def acceptance(self, case, *, members=None, terms=None, approve=True, doc=True, result="passed"):
        contract = Contract.objects.get(case=case)
        members = members if members is not None else [self.o.clerk2, self.o.heads["cgzx"]]
        if terms is None:
            terms = list(contract.terms.filter(trigger=PaymentTerm.Trigger.ACCEPTANCE, is_active=True))
        acc = contract_services.acceptance_set(case=case, actor=case.applicant, accepted_on=self.today, result=result,
                                               opinion="数量、规格、质量符合合同约定", members=members, terms=terms)
        if doc:
            document_services.attach(owner=acc, kind=DocKind.ACCEPTANCE_REPORT, upload=pdf("验收报告.pdf"),
                                                 actor=case.applicant)
        if approve:
            approval_services.case_submit(case=case, actor=case.applicant)
            approve_all(case)
        return acc

    def full_contract(self, amount="80000.00", award="76000.00", **kw):
        case = self.request(amount)
        self.purchase(case)
        self.quotes(case, prices=(award, str(D(award) + 3000), str(D(award) + 5500)))
        return case, self.contract(case, amount=award, **kw)

    # --- payments ------------------------------------------------------------------------
    def payment_case(self, contract, amount, *, term=None, invoice="44031234", invoice_amount=None, applicant=None,
                     submit=True, approve=True):
        applicant = applicant or self.o.clerk
        term = term or contract.terms.filter(is_active=True).order_by("seq").first()
        case = approval_services.case_create(matter=self.catalogue["HT-FK"], applicant=applicant,
                                             title=f"支付{contract.number}", amount=amount)
        self.attach_required(case)
        contract_services.payment_set(case=case, actor=applicant, term=term, invoice_number=invoice,
                                      invoice_date=self.today, invoice_amount=D(invoice_amount or amount))
        if submit:
            approval_services.case_submit(case=case, actor=applicant)
            if approve:
                approve_all(case)
        return Payment.objects.get(case=case)

    def pay(self, payment, *, cashier=None):
        return contract_services.payment_pay(payment=payment, actor=cashier or self.o.cashier)


@pytest.fixture
def flow(office, catalogue, line, suppliers):
    return Flow(office, catalogue, line, suppliers)


@pytest.fixture
def big_line(office, today):
    return budget_services.budget_line_create(
        year=today.year, unit=office.unit, project="社区基础设施改造", functional_code="2120399", functional_name="其他城乡社区公共设施支出",
        economic_code="31005", economic_name="基础设施建设", amount=D("20000000.00"), control_mode=ControlMode.HARD,
    )
