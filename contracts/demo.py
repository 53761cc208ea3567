"""Demo chains of the street office's year: purchase requests on the budget lines of
``budget.demo``, quotes, awards, contracts with their terms, acceptances and payments, all
through the real services and approval routing, at different points of the chain so the
contract execution table, the supplier totals and the reminders have something to show.

Business dates (award, signing, acceptance, invoice, payment) are spread over the months
elapsed this year; the approval trail itself carries the time the demo was built.

Idempotent: a chain whose request (same applicant and title) exists is skipped. A chain
whose unit has no budget line with room for it is skipped and said so (the demo never
spends beyond the budget)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from approvals import services as approvals
from approvals.exceptions import ApprovalError
from approvals.models import Case, Matter, StepKind
from documents import services as document_services
from org.models import Role, User
from procurement.models import Award, Purchase, Supplier
from procurement.models import DocKind as ProcurementDocKind

from . import services
from .models import Contract, DocKind, Payment, PaymentTerm

D = Decimal
PDF = b"%PDF-1.4\n% neiqiao demo document\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Plan:
    clerk: str
    title: str
    estimate: str
    econ: tuple[str, ...]  # economic codes to spend from, in order of preference
    category: str
    item_class: str
    method: str
    quotes: list[tuple[str, str]]  # supplier name, price; the first wins
    month: int  # month of the award and signing
    stop: str  # award | contract | running (dated milestones paid) | accepted | retention (all but it paid) | paid
    terms: list[tuple[str, str, str, int | None]] = field(default_factory=list)  # kind, percent, trigger, days after signing
    term_months: int = 12
    paid_months: int = 1
    single_source: dict | None = None


S = {  # shorter supplier names used in the plans
    "华信": "深圳市华信办公设备有限公司", "宏达": "深圳市宏达家具有限公司", "星辰": "深圳市星辰印刷有限公司",
    "联科": "深圳市联科信息技术有限公司", "鹏程": "深圳市鹏程物业管理有限公司", "洁美": "深圳市洁美环境卫生服务有限公司",
    "绿源": "深圳市绿源园林绿化有限公司", "安捷": "深圳市安捷消防设备工程有限公司", "诚信": "深圳市诚信工程监理有限公司",
    "粤华": "深圳市粤华电梯工程有限公司", "智安": "深圳市智安科技有限公司", "安信": "深圳市安信保安服务有限公司",
    "餐饮": "深圳市新桥餐饮管理有限公司", "蓝天": "深圳市蓝天车辆维修有限公司", "建筑": "深圳市新桥建筑工程有限公司",
    "正信": "广东正信工程造价咨询有限公司", "明德": "深圳市明德律师事务所", "中审": "深圳市中审会计师事务所（特殊普通合伙）",
    "电信": "中国电信股份有限公司深圳分公司",
}
ADVANCE_ACCEPT = [("advance", "30", "signing", None), ("acceptance", "70", "acceptance", 45)]
ON_ACCEPTANCE = [("acceptance", "100", "acceptance", 30)]
QUARTERLY = [("progress", "25", "date", 90), ("progress", "25", "date", 180), ("progress", "25", "date", 270),
             ("acceptance", "25", "acceptance", 360)]
WORKS = [("advance", "20", "signing", None), ("progress", "50", "acceptance", 60), ("settlement", "27", "acceptance", 90),
         ("retention", "3", "date", 455)]

PLANS = [
    Plan("czb_clerk2", "财政办办公电脑及打印机采购", "36000", ("31007", "30201"), "goods", "办公设备", "comparison",
         [("华信", "34600"), ("联科", "35200"), ("宏达", "35900")], 2, "paid", ADVANCE_ACCEPT),
    Plan("dzb_clerk1", "机关会议室桌椅更新", "68000", ("31002", "30201"), "goods", "办公家具", "comparison",
         [("宏达", "65400"), ("华信", "67200"), ("星辰", "67900")], 3, "paid", ON_ACCEPTANCE),
    Plan("xcb_clerk1", "群众文体活动宣传品印制", "42000", ("30227", "30299"), "goods", "印刷品", "comparison",
         [("星辰", "39800"), ("华信", "41500")], 4, "paid", ON_ACCEPTANCE),
    Plan("cgb_clerk1", "新桥片区市容环境保洁服务（年度）", "280000", ("30227",), "services", "保洁服务", "internal_inquiry",
         [("洁美", "268000"), ("鹏程", "275000"), ("绿源", "279000")], 1, "running", QUARTERLY, term_months=12),
    Plan("gszx_clerk1", "辖区公共绿地养护服务", "186000", ("30213", "30227"), "services", "园林养护", "internal_inquiry",
         [("绿源", "178500"), ("洁美", "183000"), ("鹏程", "185200")], 3, "running", QUARTERLY, term_months=12),
    Plan("ajb_clerk1", "安全生产第三方检查服务", "150000", ("30227",), "services", "检查服务", "internal_competitive",
         [("诚信", "142000"), ("正信", "146500"), ("中审", "149000")], 5, "contract", ADVANCE_ACCEPT, term_months=7),
    Plan("yjb_clerk1", "应急物资仓库消防设施改造", "230000", ("31002", "30218"), "works", "消防工程", "internal_inquiry",
         [("智安", "219000"), ("建筑", "226000"), ("粤华", "229000")], 4, "retention", WORKS, term_months=5),
    Plan("jsb_clerk1", "新桥东路人行道修缮工程", "290000", ("30905", "31005"), "works", "市政维修", "internal_inquiry",
         [("建筑", "276500"), ("智安", "284000"), ("安捷", "288000")], 6, "retention", WORKS, term_months=4),
    Plan("czb_clerk1", "财政管理系统年度运维服务", "120000", ("30227", "31007"), "services", "信息系统运维", "internal_inquiry",
         [("联科", "115000"), ("电信", "118800"), ("华信", "119500")], 2, "running", QUARTERLY),
    Plan("dqzx_clerk1", "党群服务中心电梯年度维保", "36000", ("30227", "30213"), "services", "电梯维保", "single_source",
         [("粤华", "35800")], 2, "running", QUARTERLY,
         single_source={"single_source_reason": "only_one", "justification": "电梯为该公司代理品牌专用型号，控制系统及配件仅其授权维保，经专业人员论证采用单一来源。",
                        "publicity_place": "新桥街道门户网站"}),
    Plan("zfd_clerk1", "综合执法记录仪采购", "96000", ("31002", "30218"), "goods", "执法装备", "comparison",
         [("智安", "91200"), ("联科", "93800"), ("华信", "95600")], 8, "contract", ADVANCE_ACCEPT, term_months=2),
    Plan("sq01_clerk1", "新桥社区长者饭堂配餐服务", "58000", ("30227", "30299"), "services", "配餐服务", "comparison",
         [("餐饮", "55800"), ("鹏程", "57500")], 9, "accepted", ON_ACCEPTANCE),
    Plan("jjb_clerk1", "廉政教育基地展陈制作", "78000", ("30227",), "goods", "展陈制作", "comparison",
         [("星辰", "74600"), ("华信", "76900"), ("宏达", "77800")], 10, "award", ADVANCE_ACCEPT),
    Plan("dzb_clerk2", "公务用车定点维修服务", "18000", ("30231", "30213", "30299"), "services", "车辆维修", "comparison",
         [("蓝天", "17200"), ("华信", "17800")], 7, "paid", ON_ACCEPTANCE, term_months=6),
]


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _stored(name: str) -> dict:
    from documents.checks import check_upload

    f = _pdf(name)
    return approvals.store_upload(f, check_upload(f))


def _attach_required(case: Case) -> None:
    """The form's required materials, as the applicant uploads them on the form."""
    have = set(case.attachments.values_list("kind", flat=True))
    missing = [k for k in case.matter.required_attachments if k not in have]
    if missing:
        with transaction.atomic():
            approvals.attach_stored(case, [(k, _stored(f"{k}.pdf")) for k in missing], case.applicant)


def _approve_stage(case: Case, day: dt.date) -> None:
    for _ in range(20):
        case.refresh_from_db()
        if case.status != Case.Status.IN_PROGRESS or not case.current_step_id:
            return
        row = case.current_step.assignees.filter(round=case.round, decision="").select_related("user").first()
        extra = {}
        if case.current_step.kind == StepKind.COLLECTIVE:
            extra = {"meeting_date": day, "meeting_name": "街道党工委会议", "minutes": _stored("会议纪要.pdf")}
        approvals.case_approve(case=case, actor=row.user, comment="同意。", **extra)


def _submit(case: Case, day: dt.date) -> None:
    approvals.case_submit(case=case, actor=case.applicant)
    _approve_stage(case, day)


def _line_for(unit, codes, amount: Decimal, year: int):
    from budget.models import BudgetLine
    from budget.selectors import line_figures

    for code in codes:
        for line in BudgetLine.objects.filter(year=year, unit=unit, economic_code=code, is_active=True).order_by("id"):
            if line.control_mode == "none" or line_figures(line).available >= amount:
                return line
    return None


def _date(year: int, month: int, day: int, today: dt.date) -> dt.date:
    return min(dt.date(year, max(1, min(12, month)), min(day, 28)), today)


def _terms(plan: Plan, amount: Decimal, signed: dt.date) -> list[dict]:
    rows = []
    for kind, percent, trigger, days in plan.terms:
        due = signed + dt.timedelta(days=days) if days is not None else None
        rows.append({"kind": kind, "name": "", "percent": D(percent), "amount": None, "trigger": trigger, "due_date": due})
    # the percents may round: the last row takes the difference
    total = sum((amount * r["percent"] / 100).quantize(D("0.01")) for r in rows)
    rows[-1]["amount"] = (amount * rows[-1]["percent"] / 100).quantize(D("0.01")) + amount - total
    rows[-1]["percent"] = None
    return rows


def _pay(contract: Contract, term: PaymentTerm, amount: Decimal, applicant: User, cashier: User, day: dt.date, n: int) -> None:
    matter = Matter.objects.get(code=services.PAYMENT_MATTER)
    case = approvals.case_create(matter=matter, applicant=applicant, amount=amount,
                                 title=f"支付：{contract.title} — {term.label}", reason=f"合同{contract.number}")
    _attach_required(case)
    invoice = f"4403{contract.pk:04d}{n:02d}{term.seq:02d}"
    services.payment_set(case=case, actor=applicant, term=term, invoice_number=invoice, invoice_date=day, invoice_amount=amount)
    _submit(case, day)
    payment = Payment.objects.get(case=case)
    services.payment_pay(payment=payment, actor=cashier, paid_on=day, bank_reference=f"CZZF{day:%Y%m%d}{payment.pk:04d}")


def _run(plan: Plan, *, year: int, today: dt.date, suppliers: dict, cashier: User, outsider: User) -> str:
    from budget import services as budget_services

    from procurement import services as procurement_services

    clerk = User.objects.select_related("unit").filter(username=plan.clerk).first()
    if clerk is None or clerk.unit is None:
        return "no clerk"
    if Case.objects.filter(applicant=clerk, title=plan.title).exists():
        return "exists"
    estimate = D(plan.estimate)
    line = _line_for(clerk.unit, plan.econ, estimate, year)
    if line is None:
        return "no budget line with room"
    award_day = _date(year, plan.month, 8, today)
    signed = _date(year, plan.month, 15, today)
    with transaction.atomic():
        matter = Matter.objects.get(code="CG-SQ")
        case = approvals.case_create(matter=matter, applicant=clerk, title=plan.title, amount=estimate,
                                     reason=f"{clerk.unit.name}年度工作需要，已列入部门预算。")
        budget_services.case_budget_set(case=case, line=line)
        _attach_required(case)
        _submit(case, award_day)
        extra = {}
        if plan.single_source:
            start = award_day - dt.timedelta(days=14)
            extra = {**plan.single_source, "publicity_start": start, "publicity_end": start + dt.timedelta(days=7)}
        procurement_services.purchase_set(case=case, actor=clerk, category=plan.category, item_class=plan.item_class,
                                          method=plan.method, **extra)
        _submit(case, award_day)
        rows = [{"supplier": suppliers[S[name]], "amount": D(price), "quoted_on": award_day - dt.timedelta(days=3)}
                for name, price in plan.quotes]
        award = procurement_services.award_set(case=case, actor=clerk, quotes=rows, winner=rows[0]["supplier"],
                                               amount=rows[0]["amount"], reason="满足采购需求且报价最低")
        for q in award.purchase.quotes.all():
            document_services.attach(owner=q, kind=ProcurementDocKind.QUOTE, upload=_pdf(f"报价单-{q.supplier.name}.pdf"),
                                                 actor=clerk)
        _submit(case, award_day)
        Award.objects.filter(pk=award.pk).update(awarded_on=award_day)
        Purchase.objects.filter(pk=award.purchase_id).update(method_approved_at=timezone.make_aware(
            dt.datetime.combine(award_day - dt.timedelta(days=5), dt.time(10))))
        if plan.stop == "award":
            return "award"
        amount = rows[0]["amount"]
        end = min(signed + dt.timedelta(days=30 * plan.term_months), dt.date(year + 1, 12, 31))
        contract = services.contract_set(
            case=case, actor=clerk, title=plan.title.replace("采购", "").replace("（年度）", "") + "合同", category=plan.category,
            amount=amount, signed_on=signed, start_date=signed, end_date=end, summary="按采购需求及成交报价履行；质量保证期一年。",
            terms=_terms(plan, amount, signed),
        )
        document_services.attach(owner=contract, kind=DocKind.CONTRACT_TEXT, upload=_pdf("合同文本.pdf"), actor=clerk)
        _submit(case, signed)
        document_services.attach(owner=contract, kind=DocKind.CONTRACT_SCAN, upload=_pdf("合同盖章扫描件.pdf"), actor=clerk)
        contract.refresh_from_db()
        n = 0
        advance = contract.terms.filter(kind="advance").first()
        if advance is not None:
            n += 1
            _pay(contract, advance, advance.amount, clerk, cashier, min(signed + dt.timedelta(days=10), today), n)
        if plan.stop == "contract":
            return "contract"
        date_terms = list(contract.terms.filter(trigger=PaymentTerm.Trigger.DATE, due_date__lte=today).exclude(kind="retention"))
        for term in date_terms:
            n += 1
            _pay(contract, term, term.amount, clerk, cashier, term.due_date, n)
        if plan.stop == "running":
            return "running"
        accept_terms = list(contract.terms.filter(trigger=PaymentTerm.Trigger.ACCEPTANCE))
        accepted_on = min(signed + dt.timedelta(days=30 * plan.paid_months + 15), today)
        if not accept_terms or accepted_on > today:
            return "contract"
        # acceptance by the clerk and someone from outside the unit
        acc = services.acceptance_set(case=case, actor=clerk, accepted_on=accepted_on, result="passed",
                                      opinion="经现场验收，数量、规格、质量符合合同约定，验收合格。", members=[clerk, outsider],
                                      terms=accept_terms)
        document_services.attach(owner=acc, kind=DocKind.ACCEPTANCE_REPORT, upload=_pdf("验收报告.pdf"), actor=clerk)
        _submit(case, accepted_on)
        if plan.stop == "accepted":
            return "accepted"
        for term in contract.terms.filter(trigger=PaymentTerm.Trigger.ACCEPTANCE).order_by("seq"):
            n += 1
            _pay(contract, term, term.amount, clerk, cashier, min(accepted_on + dt.timedelta(days=12 + 5 * n), today), n)
        if plan.stop == "retention":
            return "retention held"
        return "paid"


def seed(stdout=None) -> dict:
    today = timezone.localdate()
    year = today.year
    suppliers = {s.name: s for s in Supplier.objects.filter(name__in=S.values())}
    cashier = User.objects.with_role(Role.CASHIER).first()
    outsider = User.objects.filter(username="cgzx_clerk1").first() or User.objects.with_role(Role.SUPERVISOR).first()
    done: dict[str, int] = {}
    if len(suppliers) < len(S) or cashier is None or outsider is None or not Matter.objects.filter(code="CG-SQ", stages__contains=["award"]).exists():
        if stdout:
            stdout.write("contracts: demo chains skipped (suppliers, cashier or matters missing)")
        return done
    for plan in PLANS:
        try:
            outcome = _run(plan, year=year, today=today, suppliers=suppliers, cashier=cashier, outsider=outsider)
        except ApprovalError as exc:
            outcome = f"not made: {exc}"
        done[outcome] = done.get(outcome, 0) + 1
        if stdout and outcome not in ("exists", "award", "contract", "running", "accepted", "retention held", "paid"):
            stdout.write(f"contracts: demo chain “{plan.title}”: {outcome}")
    if stdout:
        stdout.write(
            f"contracts: {Contract.objects.count()} contracts, {Payment.objects.filter(status=Payment.Status.PAID).count()} payments paid "
            f"({', '.join(f'{k} {v}' for k, v in sorted(done.items()))})"
        )
    return done
