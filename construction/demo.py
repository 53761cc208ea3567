"""The construction matters of the catalogue and the demo office's projects (seed_demo)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from approvals.models import Category, Matter
from core.stages import Stage
from org.models import FunctionalDepartment, Role, User

# code → the stages of our sections (the matters themselves come from approvals.demo)
MATTER_STAGES = {
    "GC-LX": {"stages": [Stage.PROJECT, Stage.PROJECT_BUDGET], "required_attachments": ["可行性研究报告"],
              "regulations": "估算100万元以上的工程须委托监理（本地规定）\n施工单项合同估算400万元以上的必须招标（国家发展改革委令第16号）\n"
                             "初步设计概算超过投资估算10%的须重新报批立项（政府投资条例 第十二条）"},
    "GC-BG": {"stages": [Stage.PROJECT_CHANGE]},
    "GC-JS": {"stages": [Stage.PROJECT_SETTLEMENT]},
}
PAYMENT_MATTER = {
    "code": "GC-JDK", "name": "工程进度款支付", "category": Category.WORKS, "spends_money": True, "amount_required": True,
    "stages": [Stage.PROJECT_PAYMENT], "required_attachments": ["工程进度报告", "发票"],
    "functional_field": FunctionalDepartment.Field.WORKS,
    "regulations": "进度款不低于已完工程价款的80%，不高于合同约定比例（财建〔2022〕183号）\n政府投资项目不得由施工单位垫资建设（政府投资条例 第二十二条）\n"
                   "支付中小企业款项不得以未办理决算、审计为由拖延（保障中小企业款项支付条例）",
}


def configure_matters() -> int:
    n = 0
    for code, fields in MATTER_STAGES.items():
        n += Matter.objects.filter(code=code).update(**fields)
    code = PAYMENT_MATTER["code"]
    _m, created = Matter.objects.update_or_create(code=code, defaults={k: v for k, v in PAYMENT_MATTER.items() if k != "code"})
    return n + 1


# --- the demo office's projects -------------------------------------------------------------------
# Each project runs through the real services and approval routing, on the budget lines of
# budget.demo, with its contracts tendered through procurement (contracts.demo's chain runner).
# Idempotent: a project whose name exists is skipped; one whose unit has no line with room is
# skipped and said so.
D = Decimal
CONSTRUCTION_TERMS = [("advance", "10", "signing", None), ("progress", "80", "acceptance", 120),
                      ("settlement", "7", "acceptance", 240), ("retention", "3", "date", 970)]
SERVICE_TERMS = [("progress", "70", "acceptance", 120), ("acceptance", "30", "acceptance", 240)]


@dataclass
class ProjectPlan:
    clerk: str
    name: str
    location: str
    kind: str
    estimate: str
    budget: str  # the 概算
    econ: tuple[str, ...]
    construction: tuple[str, str, str, list]  # method, amount, winner, [(other supplier, price)]
    supervision: tuple[str, str] | None  # amount, supplier
    stop: str  # initiated | building | completed | closed
    started_month: int = 3
    work_done: tuple[str, ...] = ()
    payments: tuple[str, ...] = ()
    changes: tuple[tuple[str, str, str], ...] = ()  # kind, amount, reason
    settlement: tuple[str, str, str] | None = None  # submitted, audited, retention
    final_cost: str = ""
    assets: tuple[tuple[str, str, str], ...] = ()  # name, class, value


PROJECTS = [
    ProjectPlan("sq01_clerk1", "新桥社区上星村巷道路面修缮（民生微实事）", "新桥社区上星村三巷至五巷", "minsheng", "180000", "180000",
                ("30905",), ("internal_inquiry", "172000", "建筑", [("智安", "176500"), ("安捷", "178900")]), None, "closed",
                started_month=2, work_done=("172000",), payments=("137600",),
                settlement=("172000", "168300", "5049"), final_cost="168300",
                assets=(("上星村三至五巷巷道路面", "infrastructure", "168300"),)),
    ProjectPlan("jsb_clerk1", "新桥社区党群服务中心改造工程", "新桥社区上星路21号", "renovation", "2800000", "2950000",
                ("30905",), ("competitive_consultation", "2600000", "建筑", [("粤华", "2680000"), ("智安", "2730000")]),
                ("52000", "诚信"), "building", started_month=4, work_done=("900000", "1500000"), payments=("720000", "480000"),
                changes=(("design", "150000", "增设无障碍电梯井道及坡道"), ("visa", "130000", "拆除后发现原楼板开裂，增加加固处理"))),
    ProjectPlan("jsb_clerk1", "新桥大道（上南路至新玉路段）道路改造工程", "新桥大道上南路至新玉路段", "municipal", "3600000", "3700000",
                ("31005", "30905"), ("open_tender", "3480000", "建筑", [("智安", "3560000"), ("安捷", "3590000")]),
                ("68000", "诚信"), "completed", started_month=1, work_done=("1800000", "3480000"), payments=("1440000", "1344000")),
]


def _supplier(name: str):
    from contracts.demo import S
    from procurement.models import Supplier

    return Supplier.objects.filter(name=S.get(name, name)).first()


def _signed(plan_clerk: str, title: str, estimate: str, econ, category: str, method: str, winner: str, others, month: int,
            terms) -> "Contract | None":
    from contracts import demo as contracts_demo
    from contracts.models import Contract

    outcome = contracts_demo._run(
        contracts_demo.Plan(plan_clerk, title, estimate, econ, category, "工程" if category == "works" else "工程监理",
                            method, [(winner, estimate), *others], month, "contract", terms),
        year=timezone.localdate().year, today=timezone.localdate(), suppliers={s.name: s for s in _suppliers()},
        cashier=User.objects.with_role(Role.CASHIER).first(),
        outsider=User.objects.filter(username="cgzx_clerk1").first() or User.objects.with_role(Role.SUPERVISOR).first())
    return Contract.objects.filter(case__title=title, case__applicant__username=plan_clerk).first() if outcome in (
        "contract", "exists") else None


def _suppliers():
    from contracts.demo import S
    from procurement.models import Supplier

    return Supplier.objects.filter(name__in=S.values())


def _day(month: int, day: int = 10) -> dt.date:
    today = timezone.localdate()
    return min(dt.date(today.year, max(1, min(month, 12)), day), today)


def _run(plan: ProjectPlan) -> str:
    from approvals import services as approvals
    from contracts import demo as contracts_demo
    from documents import services as document_services
    from payments import services as payment_services

    from . import services
    from .models import ContractRole, DocKind, Project

    clerk = User.objects.select_related("unit").filter(username=plan.clerk).first()
    if clerk is None:
        return "no clerk"
    if Project.objects.filter(name=plan.name).exists():
        return "exists"
    line = contracts_demo._line_for(clerk.unit, plan.econ, D(plan.estimate), timezone.localdate().year)
    if line is None:
        return "no budget line with room"
    project = services.project_create(actor=clerk, name=plan.name, location=plan.location, kind=plan.kind,
                                      estimate=plan.estimate, necessity="群众反映强烈，设施老化存在安全隐患",
                                      scale=plan.location, funding=[(line, D(plan.estimate))])
    case = project.case
    contracts_demo._attach_required(case)
    contracts_demo._submit(case, timezone.localdate())
    document_services.attach(owner=project, kind=DocKind.BUDGET_BOOK, upload=contracts_demo._pdf("概算书.pdf"), actor=clerk)
    services.project_budget_set(project=project, actor=clerk, amount=plan.budget)
    contracts_demo._submit(case, timezone.localdate())
    project.refresh_from_db()
    if plan.stop == "initiated":
        return "initiated"
    method, amount, winner, others = plan.construction
    month = max(1, plan.started_month - 1)
    construction = _signed(plan.clerk, f"{plan.name}施工", amount, plan.econ, "works", method, winner, others, month,
                           CONSTRUCTION_TERMS)
    if construction is None:
        return "construction contract not signed"
    services.project_contract_link(project=project, contract=construction, role=ContractRole.CONSTRUCTION, actor=clerk)
    if plan.supervision:
        s_amount, s_supplier = plan.supervision
        supervision = _signed(plan.clerk, f"{plan.name}监理", s_amount, plan.econ, "services", "comparison", s_supplier,
                              [("正信", str(D(s_amount) + 2000))], month, SERVICE_TERMS)
        if supervision is None:
            return "supervision contract not signed"
        services.project_contract_link(project=project, contract=supervision, role=ContractRole.SUPERVISION, actor=clerk)
    started = _day(plan.started_month)
    services.project_start(project=project, actor=clerk, started_on=started)
    cashier = User.objects.with_role(Role.CASHIER).first()
    for i, work in enumerate(plan.work_done):
        day = min(started + dt.timedelta(days=45 * (i + 1)), timezone.localdate())
        report = services.progress_report_add(project=project, actor=clerk, reported_on=day, work_done=work,
                                              note="形象进度按计划推进")
        document_services.attach(owner=report, kind=DocKind.PHOTO, upload=contracts_demo._pdf("现场照片.pdf"), actor=clerk)
        if i < len(plan.payments):
            pay = services.progress_payment_start(project=project, actor=clerk, amount=plan.payments[i],
                                                  invoice_number=f"4403{project.pk:04d}{i + 1:02d}")
            contracts_demo._attach_required(pay.case)
            contracts_demo._submit(pay.case, day)
            payment_services.pay(case=pay.case, actor=cashier, amount=plan.payments[i], payee_kind="supplier",
                                 payee_ref=construction.supplier_id, paid_on=day, bank_reference=f"GCJD{project.pk:04d}{i + 1:02d}")
    for kind, amount, reason in plan.changes:
        change = services.change_order_start(project=project, actor=clerk, kind=kind, amount=amount, reason=reason)
        contracts_demo._attach_required(change.case)
        contracts_demo._submit(change.case, timezone.localdate())
    if plan.stop == "building":
        return "building"
    document_services.attach(owner=project, kind=DocKind.COMPLETION, upload=contracts_demo._pdf("竣工验收报告.pdf"), actor=clerk)
    completed = min(started + dt.timedelta(days=45 * len(plan.work_done) + 15), timezone.localdate())
    services.project_complete(project=project, actor=clerk, completed_on=completed)
    if plan.stop == "completed" or not plan.settlement:
        return "completed"
    submitted, audited, retention = plan.settlement
    s = services.settlement_start(project=project, actor=clerk, amount=submitted, audited_amount=audited, retention=retention,
                                  defects_until=completed + dt.timedelta(days=730), auditor=_supplier("正信").name)
    contracts_demo._attach_required(s.case)
    contracts_demo._submit(s.case, timezone.localdate())
    project.refresh_from_db()
    services.project_handover(project=project, actor=clerk, handed_over_on=timezone.localdate(), receiving_unit=clerk.unit,
                              items=[{"name": n, "asset_class": c, "value": v} for n, c, v in plan.assets])
    services.final_accounts_approve(project=project, actor=clerk, total_cost=plan.final_cost, approved_on=timezone.localdate())
    return "closed"


def seed(stdout=None) -> dict:
    from approvals.exceptions import ApprovalError

    with transaction.atomic():
        n = configure_matters()
    done: dict[str, int] = {}
    if not Matter.objects.filter(code="CG-SQ", stages__contains=["award"]).exists() or not _suppliers().exists():
        if stdout:
            stdout.write("construction: demo projects skipped (procurement matters or suppliers missing)")
        return {"matters": n}
    for plan in PROJECTS:
        try:
            with transaction.atomic():
                outcome = _run(plan)
        except ApprovalError as exc:
            outcome = f"not made: {exc}"
        done[outcome] = done.get(outcome, 0) + 1
        if stdout and outcome not in ("exists", "initiated", "building", "completed", "closed"):
            stdout.write(f"construction: demo project “{plan.name}”: {outcome}")
    if stdout:
        stdout.write(f"construction: {n} matters, projects {', '.join(f'{k} {v}' for k, v in sorted(done.items()))}")
    return {"matters": n, **done}
