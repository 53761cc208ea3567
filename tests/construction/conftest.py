"""Fixtures of the construction tests: the procurement/contract fixtures (catalogue, flow,
suppliers, budget lines), our matters, and ``works`` — helpers that take a project through its
stages with the real services (approvals routing included)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from approvals import services as approval_services
from construction import demo as construction_demo
from construction import services
from construction.models import ContractRole, DocKind, Project
from documents import services as document_services
from tests.procurement.conftest import (  # noqa: F401  (fixtures)
    approve_all,
    big_line,
    catalogue,
    flow,
    holders,
    line,
    media_root,
    pdf,
    suppliers,
    today,
)

D = Decimal

PROGRESS_TERMS = [
    {"kind": "progress", "name": "进度款", "percent": D("80"), "amount": None, "trigger": "acceptance", "due_date": None},
    {"kind": "settlement", "name": "结算款", "percent": D("17"), "amount": None, "trigger": "acceptance", "due_date": None},
    {"kind": "retention", "name": "质量保证金", "percent": D("3"), "amount": None, "trigger": "date",
     "due_date": timezone.localdate() + dt.timedelta(days=730)},
]


class Works:
    def __init__(self, flow, big_line):
        self.flow = flow
        self.line = big_line
        self.o = flow.o
        self.today = timezone.localdate()
        construction_demo.configure_matters()

    def project(self, estimate="1500000.00", *, line=None, approve=True, budget=None, name="社区服务中心改造工程"):
        p = services.project_create(actor=self.o.clerk, name=name, location="新桥社区上星路21号", kind="renovation",
                                    estimate=estimate, necessity="服务中心建成已逾二十年", scale="改造面积1200平方米",
                                    funding=[(line or self.line, D(estimate))])
        if approve:
            self.flow.attach_required(p.case)
            approval_services.case_submit(case=p.case, actor=self.o.clerk)
            approve_all(p.case)
            if budget is not False:
                self.budget(p, budget or estimate)
        p.refresh_from_db()
        return p

    def budget(self, p, amount):
        document_services.attach(owner=p, kind=DocKind.BUDGET_BOOK, upload=pdf("概算书.pdf"), actor=self.o.clerk)
        services.project_budget_set(project=p, actor=self.o.clerk, amount=amount)
        approval_services.case_submit(case=p.case, actor=self.o.clerk)
        approve_all(p.case)
        p.refresh_from_db()
        return p

    def contract(self, amount, *, category="works", supplier=0, terms=None):
        amount = D(amount)
        case = self.flow.request(str(amount), line=self.line, title="工程采购")
        self.flow.purchase(case, category=category, method="open_tender")
        prices = [str(amount + 3000 * (i + 1)) for i in range(3)]
        prices[supplier] = str(amount)
        self.flow.quotes(case, prices=tuple(prices), winner=supplier)
        return self.flow.contract(case, amount=str(amount), category=category, terms=terms or PROGRESS_TERMS)

    def link(self, p, amount, role=ContractRole.CONSTRUCTION, **kw):
        c = self.contract(amount, category="works" if role == ContractRole.CONSTRUCTION else "services", **kw)
        services.project_contract_link(project=p, contract=c, role=role, actor=self.o.clerk)
        return c

    def building(self, estimate="1500000.00", construction="1200000.00", supervision="30000.00"):
        p = self.project(estimate)
        c = self.link(p, construction)
        if supervision:
            self.link(p, supervision, ContractRole.SUPERVISION, supplier=1)
        services.project_start(project=p, actor=self.o.clerk, started_on=self.today)
        p.refresh_from_db()
        return p, c

    def complete(self, p):
        document_services.attach(owner=p, kind=DocKind.COMPLETION, upload=pdf("竣工验收报告.pdf"), actor=self.o.clerk)
        services.project_complete(project=p, actor=self.o.clerk, completed_on=self.today)
        p.refresh_from_db()
        return p

    def change(self, p, amount, *, submit=True, approve=True):
        ch = services.change_order_start(project=p, actor=self.o.clerk, kind="visa", amount=amount, reason="地基加固")
        if submit:
            self.flow.attach_required(ch.case)
            approval_services.case_submit(case=ch.case, actor=self.o.clerk)
            if approve:
                approve_all(ch.case)
        ch.refresh_from_db()
        return ch


@pytest.fixture
def works(flow, big_line):
    # The default limits come from a data migration; a transactional test before this one
    # flushes them, so they are seeded again (idempotent) as the thresholds are.
    import importlib

    from django.apps import apps
    importlib.import_module("construction.migrations.0002_default_limits").seed(apps, None)
    return Works(flow, big_line)


def project_count() -> int:
    return Project.objects.count()
