"""A small office with one record of every kind the URLs point at, and a walk of the whole
URL configuration, for the cross-cutting security tables.

``world`` builds, on top of the ``office`` fixture and the seeded matter catalogue:

* ``own`` — a draft spending form of the clerk (公共服务办), ``own_attachment`` on it;
* ``foreign`` — a spending form of 采购中心 in approval (another unit, another leader in
  charge), ``foreign_attachment`` on it; the clerk, their unit head and their leader in
  charge may not read it;
* ``line`` — a budget line of 公共服务办, ``foreign_line`` one of 采购中心;
* ``job`` — a finished budget export of the finance reviewer (only they may fetch it);
* ``delegation`` — the leader's stand-in;
* the procurement chain of 采购中心 (``purchase``, ``supplier``, ``contract`` with its
  ``contract_doc``, an approved ``payment`` waiting for the cashier), made with the
  procurement tests' ``Flow`` through the real services and routing.
"""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from org.models import Role

from ..factories import UserFactory
from contracts.models import DocKind

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ANON = "anonymous"
ROLES = [ANON, *[r.value for r in Role]]


def walk_urls(patterns=None, prefix: str = "", namespace: str | None = None):
    """Every URL pattern of the project as (route, qualified name, callback)."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from walk_urls(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
            yield prefix + str(p.pattern), name, p.callback


def attach(case, user, name="材料.pdf", content=PDF_BYTES):
    from documents import services as document_services

    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    stored = document_services.store(upload, document_services.check(upload))
    return document_services.record(owner=case, stored=stored, kind="其他材料", actor=user)


@pytest.fixture
def world(office, settings, tmp_path):
    from approvals import demo as approvals_demo
    from approvals import services
    from approvals.models import Delegation, Matter
    from budget import exports
    from budget import services as budget_services
    from budget.models import ExportJob

    settings.MEDIA_ROOT = tmp_path / "media"
    approvals_demo.seed()
    year = timezone.localdate().year
    spend = Matter.objects.get(code="CW-SQSP")

    def line_of(unit, project):
        return budget_services.budget_line_create(
            year=year, unit=unit, project=project, functional_code="2010301", functional_name="行政运行",
            economic_code="30201", economic_name="办公费", amount=Decimal("100000.00"),
        )

    line = line_of(office.unit, "公共服务办日常运转")
    foreign_line = line_of(office.units["cgzx"], "采购中心日常运转")
    foreign_clerk = UserFactory(username="cgzx_clerk1", unit=office.units["cgzx"], clerk=True)

    own = services.case_create(matter=spend, applicant=office.clerk, title="办公椅购置", reason="旧椅损坏", amount="800")
    budget_services.case_budget_set(case=own, line=line)
    own_attachment = attach(own, office.clerk, "报价单.pdf")

    foreign = services.case_create(matter=spend, applicant=foreign_clerk, title="采购代理服务费", reason="年度代理", amount="3000")
    budget_services.case_budget_set(case=foreign, line=foreign_line)
    foreign_attachment = attach(foreign, foreign_clerk, "代理合同.pdf")
    services.case_submit(case=foreign, actor=foreign_clerk)
    foreign.refresh_from_db()

    job = ExportJob.objects.create(user=office.finance_reviewer, params={"year": year, "unit_id": None, "fund_source": None})
    assert exports.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    delegation = Delegation.objects.create(
        principal=office.leader, deputy=office.finance_leader, start=timezone.localdate(), end=timezone.localdate(),
    )
    chain = _procurement_chain(office, foreign_clerk, year)
    from risk import engine
    from risk.models import RiskWarning

    engine.scan(codes={"BUD-02"})  # nothing over 90%: a run, no warning
    warning = RiskWarning.objects.create(rule_code="BUD-02", key=f"budget.budgetline:{foreign_line.pk}",
                                         records=[["budget.budgetline", foreign_line.pk]], message="采购中心日常运转: 95%",
                                         severity="low", unit=office.units["cgzx"])
    return SimpleNamespace(
        office=office, spend=spend, year=year, line=line, foreign_line=foreign_line, foreign_clerk=foreign_clerk,
        own=own, own_attachment=own_attachment, foreign=foreign, foreign_attachment=foreign_attachment,
        job=job, delegation=delegation, warning=warning, **chain,
    )


def _procurement_chain(office, applicant, year) -> dict:
    """A purchase of 采购中心 through award, contract and an approved payment."""
    from approvals.models import Matter
    from budget import services as budget_services
    from contracts import services as contract_services
    from contracts.models import Supplement
    from procurement import demo as procurement_demo
    from procurement.models import Purchase
    from documents.models import Document

    from ..procurement.conftest import Flow, make_supplier

    procurement_demo.configure_matters()
    procurement_demo.seed_thresholds()
    catalogue = {m.code: m for m in Matter.objects.all()}
    line = budget_services.budget_line_create(
        year=year, unit=applicant.unit, project="采购中心设备购置", functional_code="2010301", functional_name="行政运行",
        economic_code="31002", economic_name="办公设备购置", amount=Decimal("500000.00"),
    )
    suppliers = [make_supplier(i) for i in range(1, 4)]
    flow = Flow(office, catalogue, line, suppliers)
    case = flow.request("80000.00", applicant=applicant, line=line, title="采购中心办公设备")
    flow.purchase(case)
    flow.quotes(case, prices=("76000.00", "79000.00", "81500.00"))
    contract = flow.contract(case, amount="76000.00")
    payment = flow.payment_case(contract, "22800.00", applicant=applicant)
    acceptance = flow.acceptance(case, approve=False)
    supplement_case = contract_services.supplement_start(contract=contract, actor=applicant)
    return {
        "acceptance": acceptance,
        "supplement": Supplement.objects.get(case=supplement_case),
        "purchase": Purchase.objects.get(case=case),
        "supplier": suppliers[0],
        "contract": contract,
        "contract_doc": Document.objects.filter(kind=DocKind.CONTRACT_TEXT).get(),
        "payment": payment,
    }


def login_as(client, world, role: str):
    client.logout()
    if role != ANON:
        client.force_login(world.office.by_role[role])
    return client


ADMIN_ACTION = re.compile(r"^admin:(?P<app>[a-z0-9]+)_(?P<model>[a-z0-9]+)_(?P<action>changelist|add|history|delete|change|simple_history)$")


def fingerprint() -> dict[str, str]:
    """A digest per table of the project's own apps: equal before and after means a request
    changed nothing. Signing in is not a change: the users' last sign-in time and the
    history rows that saving it writes are left out."""
    import hashlib

    from django.apps import apps

    digests = {}
    for label in ("org", "approvals", "budget", "procurement", "contracts", "auth"):
        for model in apps.get_app_config(label).get_models():
            if model._meta.label == "org.HistoricalUser":
                continue  # one row per sign-in (simple_history records every save of a user)
            fields = [f.attname for f in model._meta.concrete_fields if f.name != "last_login"]
            digest = hashlib.sha256()
            for row in model.objects.order_by("pk").values_list(*fields):
                digest.update(repr(row).encode())
            digests[model._meta.label] = digest.hexdigest()
    return digests


def changed_tables(before: dict[str, str]) -> list[str]:
    after = fingerprint()
    return sorted(label for label in after if after[label] != before.get(label))
