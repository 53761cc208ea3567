"""Demo budget of the street office: a year of lines for every unit made by ``org.demo``,
the adjustment matter if the catalogue lacks it, a few spending forms through approval and
a realistic spread of payments so the execution table and charts have something to show.

Idempotent: lines are keyed by their natural key; the forms and payments are made only
when the year's ledger is still empty."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from approvals.exceptions import ApprovalError
from approvals.models import Category, Matter
from core.stages import Stage
from org.models import Role, Unit, User

from .models import BudgetLine, BudgetMovement, ControlMode, FundSource

# Basic expenditure (基本支出) every department has, under 2010301 行政运行 (or the field's own class).
BASIC = [
    ("30201", "办公费", 60_000, 260_000, ControlMode.HARD),
    ("30205", "水费", 8_000, 30_000, ControlMode.WARN),
    ("30206", "电费", 20_000, 90_000, ControlMode.WARN),
    ("30207", "邮电费", 6_000, 24_000, ControlMode.HARD),
    ("30211", "差旅费", 20_000, 80_000, ControlMode.HARD),
    ("30213", "维修（护）费", 30_000, 150_000, ControlMode.HARD),
    ("30215", "会议费", 10_000, 50_000, ControlMode.HARD),
    ("30216", "培训费", 10_000, 60_000, ControlMode.HARD),
    ("30217", "公务接待费", 5_000, 20_000, ControlMode.HARD),
    ("30231", "公务用车运行维护费", 20_000, 60_000, ControlMode.HARD),
    ("30299", "其他商品和服务支出", 30_000, 120_000, ControlMode.WARN),
]
# Personnel (工资福利支出): paid monthly through the payroll, warn-controlled.
PERSONNEL = [
    ("30101", "基本工资", 900_000, 2_400_000),
    ("30102", "津贴补贴", 700_000, 1_800_000),
    ("30103", "奖金", 200_000, 600_000),
    ("30108", "机关事业单位基本养老保险缴费", 250_000, 650_000),
    ("30113", "住房公积金", 150_000, 400_000),
]
# Project expenditure (项目支出) by unit: (project, functional code, name, [(economic code, name, low, high)]).
PROJECTS = {
    "DZB": [("机关综合保障", "2010301", "行政运行", [("30227", "委托业务费", 300_000, 900_000), ("31002", "办公设备购置", 200_000, 600_000)])],
    "DJB": [("基层党建工作经费", "2013202", "一般行政管理事务", [("30226", "劳务费", 100_000, 300_000), ("30227", "委托业务费", 200_000, 500_000)])],
    "JJB": [("廉政教育与专项检查", "2011102", "一般行政管理事务", [("30227", "委托业务费", 150_000, 400_000)])],
    "CZB": [("财政管理信息化", "2010601", "行政运行", [("30227", "委托业务费", 300_000, 800_000), ("31007", "信息网络及软件购置更新", 200_000, 900_000)])],
    "CGZX": [("政府采购代理服务", "2010301", "行政运行", [("30227", "委托业务费", 100_000, 300_000)])],
    "JSB": [("辖区道路修缮工程", "2120399", "其他城乡社区公共设施支出", [("30905", "基础设施建设", 4_000_000, 12_000_000), ("31005", "基础设施建设", 2_000_000, 8_000_000)]),
            ("老旧小区改造", "2120399", "其他城乡社区公共设施支出", [("30905", "基础设施建设", 6_000_000, 20_000_000)])],
    "ZCB": [("集体资产清查", "2130705", "对村民委员会和村党支部的补助", [("30227", "委托业务费", 200_000, 500_000)])],
    "ZZB": [("干部教育培训", "2013299", "其他组织事务支出", [("30216", "培训费", 200_000, 500_000)])],
    "XCB": [("群众文体活动", "2070109", "群众文化", [("30227", "委托业务费", 300_000, 800_000), ("30226", "劳务费", 100_000, 300_000)])],
    "TZB": [("统战和社会组织培育", "2013499", "其他统战事务支出", [("30227", "委托业务费", 100_000, 400_000)])],
    "SQB": [("社区服务体系建设", "2080208", "基层政权建设", [("39999", "其他支出", 500_000, 1_500_000)])],
    "GFB": [("公共服务提升", "2080299", "其他民政管理事务支出", [("30227", "委托业务费", 400_000, 1_200_000)])],
    "JFB": [("营商环境优化", "2150899", "其他支持中小企业发展和管理支出", [("30227", "委托业务费", 200_000, 600_000)])],
    "CGB": [("市容环境整治", "2120104", "城管执法", [("30227", "委托业务费", 2_000_000, 6_000_000), ("30226", "劳务费", 800_000, 2_000_000)]),
            ("环卫保洁", "2110402", "农村环境保护", [("30227", "委托业务费", 3_000_000, 8_000_000)])],
    "AJB": [("安全生产检查", "2240106", "安全监管", [("30227", "委托业务费", 300_000, 900_000), ("30226", "劳务费", 200_000, 500_000)])],
    "YJB": [("应急物资储备", "2240204", "应急救援", [("31002", "办公设备购置", 200_000, 600_000), ("30218", "专用材料费", 300_000, 800_000)])],
    "ZWB": [("综治网格化管理", "2040699", "其他司法支出", [("30226", "劳务费", 1_000_000, 3_000_000)])],
    "XFB": [("信访维稳", "2013102", "一般行政管理事务", [("30227", "委托业务费", 100_000, 300_000)])],
    "GTD": [("违法建筑查处", "2120104", "城管执法", [("30227", "委托业务费", 500_000, 1_500_000)])],
    "ZFD": [("综合执法装备", "2120104", "城管执法", [("31002", "办公设备购置", 200_000, 800_000), ("30218", "专用材料费", 100_000, 300_000)])],
    "DQZX": [("党群服务阵地运营", "2013202", "一般行政管理事务", [("30227", "委托业务费", 300_000, 800_000)])],
    "GSZX": [("公共设施维护", "2120399", "其他城乡社区公共设施支出", [("30213", "维修（护）费", 500_000, 1_500_000)])],
    "TYZ": [("退役军人服务保障", "2080901", "行政运行", [("30305", "生活补助", 200_000, 600_000)])],
}
COMMUNITY_PROJECTS = [
    ("社区党建", "2013202", "一般行政管理事务", [("30201", "办公费", 30_000, 80_000), ("30299", "其他商品和服务支出", 30_000, 100_000)]),
    ("社区服务", "2080208", "基层政权建设", [("30227", "委托业务费", 200_000, 600_000), ("30226", "劳务费", 100_000, 300_000)]),
    ("社区环境提升", "2120399", "其他城乡社区公共设施支出", [("30905", "基础设施建设", 300_000, 1_500_000)]),
]
OTHER_FUNDS_UNITS = {"CGB", "JSB", "ZCB", "SQ01", "SQ02", "SQ05"}


def _amount(key: str, low: int, high: int) -> Decimal:
    """A stable 'random' amount in [low, high], rounded to hundreds of yuan."""
    h = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)
    value = low + h % (high - low + 1)
    return Decimal(value // 100 * 100)


def _line_specs(unit: Unit):
    functional = ("2010301", "行政运行") if unit.kind == Unit.Kind.DEPARTMENT else ("2010350", "事业运行")
    for code, name, low, high in PERSONNEL:
        scale = 1 if unit.kind == Unit.Kind.DEPARTMENT else 2  # communities: more staff on the payroll
        yield ("人员经费", *functional, code, name, low * scale, high * scale, ControlMode.WARN, FundSource.FISCAL)
    if unit.kind == Unit.Kind.DEPARTMENT:
        for code, name, low, high, mode in BASIC:
            yield ("基本支出", *functional, code, name, low, high, mode, FundSource.FISCAL)
        projects = PROJECTS.get(unit.code, [])
    else:
        for code, name, low, high, mode in BASIC[:6]:
            yield ("社区运转", *functional, code, name, low // 2, high // 2, mode, FundSource.FISCAL)
        projects = COMMUNITY_PROJECTS
    for project, fcode, fname, items in projects:
        for code, name, low, high in items:
            mode = ControlMode.HARD
            yield (project, fcode, fname, code, name, low, high, mode, FundSource.FISCAL)
    if unit.code in OTHER_FUNDS_UNITS:
        yield ("上级专项补助", "2120399", "其他城乡社区公共设施支出", "30227", "委托业务费", 200_000, 800_000,
               ControlMode.WARN, FundSource.OTHER)


def _ensure_adjustment_matter() -> None:
    if not Matter.objects.filter(code="CW-YSTZ").exists():
        Matter.objects.create(
            code="CW-YSTZ", name="预算调整（追加、调减、调剂）", category=Category.FINANCE, spends_money=False,
            amount_required=True, stages=[Stage.BUDGET_ADJUSTMENT], required_attachments=["调整说明"],
            functional_field="money", regulations="预算调整须说明原因\n同一指标一年内调剂三次以上将触发预警",
        )


def _seed_payments(year: int, lines: list[BudgetLine], today: dt.date) -> int:
    """Payments spread over the elapsed months (as if booked through the treasury system),
    written as ledger rows in bulk: demo data, no case behind them."""
    last_month = today.month if today.year == year else (12 if today.year > year else 0)
    rows = []
    for line in lines:
        key = f"{line.unit.code}-{line.project}-{line.economic_code}-{line.fund_source}"
        pace = Decimal(40 + int(hashlib.sha256(key.encode()).hexdigest()[:4], 16) % 55) / 100  # 40%..94% of time progress
        if line.economic_code.startswith("301"):
            pace = Decimal("0.95")
        for month in range(1, last_month + 1):
            salary = line.economic_code.startswith("301")
            skip = not salary and (month + len(key)) % 4 == 0
            # salaries are paid every month; other spending comes in uneven lumps
            wobble = Decimal(1) if salary else Decimal(60 + int(hashlib.sha256(f"{key}{month}".encode()).hexdigest()[:4], 16) % 90) / 100
            amount = (line.amount * pace / 12 * (Decimal("1.05") if salary else Decimal("1.3")) * wobble).quantize(Decimal("100"))
            if skip or amount < 100:
                continue
            day = 10 if salary else min(28, 5 + (len(key) * month) % 20)
            occurred = dt.date(year, month, day)
            if occurred > today:
                continue
            rows.append(BudgetMovement(
                line=line, kind=BudgetMovement.Kind.EXECUTE, amount=amount,
                occurred_on=occurred, note="国库集中支付（演示数据）",
            ))
    BudgetMovement.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _seed_cases(year: int, stdout) -> int:
    """A handful of spending forms through the real approval flow."""
    from approvals import services as approvals

    from . import services

    matter = Matter.objects.filter(code="CW-SQSP").first()
    if matter is None:
        return 0
    made = 0
    plans = [
        ("gfb_clerk1", "社区服务中心办公桌椅购置", "8600.00", "30201", "approve"),
        ("gfb_clerk2", "赴市民政局学习交流差旅", "3200.00", "30211", "submit"),
        ("cgb_clerk1", "市容整治宣传物料印制", "12800.00", "30299", "approve"),
        ("sq01_clerk1", "社区党建活动办公用品", "2600.00", "30201", "return"),
        ("ajb_clerk1", "安全生产培训会议", "9800.00", "30215", "reject"),
        ("dzb_clerk1", "机关办公楼空调维修", "18500.00", "30213", "submit"),
    ]
    for username, title, amount, econ, outcome in plans:
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        line = BudgetLine.objects.filter(year=year, unit=user.unit, economic_code=econ).order_by("id").first()
        if line is None:
            continue
        try:
            with transaction.atomic():
                case = approvals.case_create(matter=matter, applicant=user, title=title, reason="工作需要", amount=amount)
                services.case_budget_set(case=case, line=line)
                approvals.case_submit(case=case, actor=user)
                for _ in range(12):
                    case.refresh_from_db()
                    if outcome == "submit" or not case.current_step_id:
                        break
                    holder = case.current_step.assignees.filter(round=case.round, decision="").select_related("user").first()
                    if holder is None:
                        break
                    if outcome == "reject":
                        approvals.case_reject(case=case, actor=holder.user, comment="超出年度培训计划，不同意。")
                        break
                    if outcome == "return":
                        approvals.case_return(case=case, actor=holder.user, comment="请补充采购清单。")
                        break
                    approvals.case_approve(case=case, actor=holder.user, comment="同意。")
            made += 1
        except ApprovalError as exc:
            if stdout:
                stdout.write(f"budget: demo form “{title}” not made: {exc}")
    return made


def seed(stdout=None) -> dict:
    today = timezone.localdate()
    year = today.year
    _ensure_adjustment_matter()
    created = 0
    with transaction.atomic():
        units = list(Unit.objects.filter(is_active=True).exclude(kind=Unit.Kind.LEADERSHIP).order_by("sort_order", "code"))
        for unit in units:
            for project, fcode, fname, ecode, ename, low, high, mode, fund in _line_specs(unit):
                amount = _amount(f"{year}-{unit.code}-{project}-{ecode}-{fund}", low, high)
                _, was_created = BudgetLine.objects.get_or_create(
                    year=year, unit=unit, project=project, functional_code=fcode, economic_code=ecode, fund_source=fund,
                    defaults={"functional_name": fname, "economic_name": ename, "amount": amount, "control_mode": mode},
                )
                created += was_created
    payments = cases = 0
    if not BudgetMovement.objects.filter(line__year=year).exists():
        with transaction.atomic():
            lines = list(BudgetLine.objects.filter(year=year).select_related("unit"))
            payments = _seed_payments(year, lines, today)
        if User.objects.with_role(Role.FINANCE_REVIEWER).exists():
            cases = _seed_cases(year, stdout)
    summary = {"lines": BudgetLine.objects.filter(year=year).count(), "created": created, "payments": payments, "cases": cases}
    if stdout:
        stdout.write(
            f"budget: {summary['lines']} lines for {year} ({created} new), {payments} demo payments, {cases} demo forms"
        )
    return summary
