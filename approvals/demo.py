"""The matter catalogue (事项目录) and the default routing policies of the demo office.

Idempotent: matters are keyed by code, policies by (scope, starting amount); the steps of a
seeded policy are rewritten only when the policy is first created, so an administrator's
later edits survive a re-seed."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from org.models import FunctionalDepartment as FD
from org.models import Role

from .models import Category as C
from .models import Matter, Policy, PolicyStep, StepKind, StepMode
from .tiers import tier_name

B = ["budget"]
# code, name, category, spends_money, stages, required attachments, functional field, low_risk, regulations
MATTERS = [
    ("YS-SZYD", "三重一大事项决策", C.DECISION, False, [], ["会议纪要"], "", False,
     "重大事项决策、重要干部任免、重大项目安排和大额度资金运作须经党工委会议集体决策\n会议纪要须作为附件上传"),
    ("YS-ZRBG", "主任办公会议题申报", C.DECISION, False, [], ["议题材料"], FD.Field.DOCUMENTS, False,
     "议题材料须经分管领导审核后提交"),
    ("YS-GZFA", "工作方案审批", C.DECISION, False, [], [], "", True, ""),
    ("BW-FW", "发文审批", C.DOCUMENT, False, [], ["文稿"], FD.Field.DOCUMENTS, True,
     "以街道名义发文须经党政办公室核稿\n涉密文件不得通过本系统流转"),
    ("BW-SW", "收文办理", C.DOCUMENT, False, [], [], FD.Field.DOCUMENTS, True, ""),
    ("BW-HQ", "会签文件", C.DOCUMENT, False, [], ["文稿"], FD.Field.DOCUMENTS, True, ""),
    ("BW-YZ", "用印申请", C.DOCUMENT, False, [], ["用印文件"], FD.Field.DOCUMENTS, True, "合同用印须先完成合同审批"),
    ("CW-SQSP", "经费支出事前申请", C.FINANCE, True, B, [], FD.Field.MONEY, False,
     "支出必须以经批准的预算为依据（预算法）\n无预算、超预算不得支出\n金额达到集体决策标准的须附会议纪要"),
    ("CW-CLF", "差旅费报销", C.FINANCE, True, B, ["发票", "出差审批单"], FD.Field.MONEY, False,
     "住宿费按出差地标准限额内据实报销\n伙食补助费每人每天100元（西藏、青海、新疆120元）\n市内交通费每人每天80元包干"),
    ("CW-HYF", "会议费", C.FINANCE, True, B, ["会议通知", "会议费预算表"], FD.Field.MONEY, False,
     "三类会议综合定额每人每天不超过450元\n会议费报销须附会议通知、签到表、费用明细\n不得组织会议期间的参观、游览"),
    ("CW-PXF", "培训费", C.FINANCE, True, B, ["培训通知"], FD.Field.MONEY, False,
     "三类培训综合定额每人每天不超过500元\n培训时间超过5天的须说明理由"),
    ("CW-GWJD", "公务接待", C.FINANCE, True, B, ["公函"], FD.Field.MONEY, False,
     "无公函不接待\n工作餐每人每餐不超过120元，陪餐人数不超过3人\n严禁超标准接待、不得提供香烟和高档酒水"),
    ("CW-BGYP", "办公用品购置", C.FINANCE, True, B, [], FD.Field.MONEY, True, "属政府集中采购目录的须按规定采购"),
    ("CW-GWYC", "公务用车运行维护费", C.FINANCE, True, B, ["维修清单"], FD.Field.MONEY, False, "车辆维修须在定点单位进行"),
    ("CW-YSTZ", "预算调整（追加、调减、调剂）", C.FINANCE, False, ["budget_adjustment"], ["调整说明"], FD.Field.MONEY, False,
     "预算调整须说明原因\n同一指标一年内调剂三次以上将触发预警"),
    ("CW-JK", "借款申请", C.FINANCE, True, B, [], FD.Field.MONEY, False, "前款未清不得再借"),
    ("CW-ZJBF", "专项资金拨付", C.FINANCE, True, B, ["拨付依据"], FD.Field.MONEY, False, ""),
    ("RS-QJ", "请休假审批", C.PERSONNEL, False, [], [], "", True, "处级领导请假须报主要领导"),
    ("RS-ZP", "编外人员招聘", C.PERSONNEL, True, B, ["招聘方案"], "", False, "编外人员招聘须公开进行"),
    ("RS-CG", "因公出国（境）审批", C.PERSONNEL, False, [], ["邀请函"], "", False, ""),
    ("RS-JX", "绩效考核结果报批", C.PERSONNEL, False, [], ["考核结果表"], "", False, ""),
    ("JD-ZXJC", "专项检查立项", C.SUPERVISION, False, [], [], "", False, ""),
    ("JD-ZGFK", "整改情况反馈", C.SUPERVISION, False, [], ["整改报告"], "", False, ""),
    ("JD-LXYZ", "廉政风险点报备", C.SUPERVISION, False, [], [], "", True, ""),
    ("GC-LX", "工程立项", C.WORKS, True, B, ["可行性研究报告", "概算书"], FD.Field.WORKS, False,
     "估算100万元以上的工程须委托监理\n施工单项合同估算400万元以上的必须招标（国家发改委令第16号）"),
    ("GC-BG", "工程变更（签证）", C.WORKS, True, B, ["变更说明", "造价审核意见"], FD.Field.WORKS, False,
     "累计变更超过合同价10%的须重新报批"),
    ("GC-YS", "工程验收", C.WORKS, False, [], ["验收报告"], FD.Field.WORKS, False, "验收须有申请单位以外人员参加"),
    ("GC-JS", "工程结算审核", C.WORKS, True, B, ["结算书", "审计报告"], FD.Field.WORKS, False, "质量保证金不超过结算总额的3%"),
    ("HQ-WX", "物业维修申请", C.LOGISTICS, True, B, [], FD.Field.ASSETS, True, ""),
    ("HQ-ZCLY", "资产领用", C.LOGISTICS, False, [], [], FD.Field.ASSETS, True, ""),
    ("HQ-ZCCZ", "资产处置", C.LOGISTICS, False, [], ["资产清单", "评估报告"], FD.Field.ASSETS, False, "资产处置须履行评估程序"),
    ("HQ-CLSY", "公务用车使用", C.LOGISTICS, False, [], [], FD.Field.ASSETS, True, ""),
    ("CG-SQ", "采购申请", C.PROCUREMENT, True, B, ["采购需求"], FD.Field.PURCHASE, False,
     "分散采购限额：货物、服务100万元，工程120万元\n公开招标数额标准：货物、服务200万元\n不得化整为零规避采购"),
    ("CG-DYLY", "单一来源采购论证", C.PROCUREMENT, True, B, ["论证意见", "公示材料"], FD.Field.PURCHASE, False,
     "单一来源采购须专业人员论证并公示"),
    ("HT-SP", "合同审批", C.CONTRACT, True, B, ["合同文本"], FD.Field.MONEY, False,
     "合同须经法律顾问审查\n合同金额不得超过成交金额"),
    ("HT-FK", "合同付款", C.CONTRACT, True, B, ["发票"], FD.Field.MONEY, False,
     "按合同约定的付款条件付款\n未验收不得支付验收款"),
    ("HT-BC", "补充协议", C.CONTRACT, True, B, ["补充协议文本"], FD.Field.MONEY, False, "补充协议累计金额不得超过原合同金额的10%"),
]

# Default tiers from DESIGN.md, editable by the administrator.
STEP = tuple  # (kind, mode, role)
UNIT_HEAD = (StepKind.UNIT_HEAD, StepMode.SINGLE, "")
FUNCTIONAL = (StepKind.FUNCTIONAL, StepMode.SINGLE, "")
FINANCE = (StepKind.FINANCE_REVIEW, StepMode.ANY, "")
LEADER = (StepKind.LEADER_IN_CHARGE, StepMode.SINGLE, "")
FIN_LEADER = (StepKind.FINANCE_LEADER, StepMode.SINGLE, "")
PRINCIPAL = (StepKind.PRINCIPAL, StepMode.ANY, "")
COLLECTIVE = (StepKind.COLLECTIVE, StepMode.ANY, "")
# the review of a named functional field (归口): (kind, mode, role, field)
PURCHASE_CENTRE = (StepKind.FUNCTIONAL, StepMode.SINGLE, "", FD.Field.PURCHASE)
LEGAL = (StepKind.FUNCTIONAL, StepMode.SINGLE, "", FD.Field.DOCUMENTS)
TEAM = (StepKind.SECTION, StepMode.ALL, "")

MONEY_TIERS = [
    ("0", [UNIT_HEAD, FINANCE, LEADER]),
    ("10000", [UNIT_HEAD, FINANCE, LEADER, FIN_LEADER]),
    ("50000", [UNIT_HEAD, FINANCE, LEADER, FIN_LEADER, PRINCIPAL]),
    ("300000", [UNIT_HEAD, FINANCE, LEADER, FIN_LEADER, PRINCIPAL, COLLECTIVE]),
]
CATEGORY_POLICIES = {
    C.DOCUMENT: [("0", [UNIT_HEAD, FUNCTIONAL, LEADER])],
    C.PERSONNEL: [("0", [UNIT_HEAD, LEADER, PRINCIPAL])],
    C.SUPERVISION: [("0", [UNIT_HEAD, LEADER])],
    C.DECISION: [("0", [UNIT_HEAD, LEADER, PRINCIPAL])],
    C.PROCUREMENT: [
        ("0", [UNIT_HEAD, FUNCTIONAL, FINANCE, LEADER]),
        ("10000", [UNIT_HEAD, FUNCTIONAL, FINANCE, LEADER, FIN_LEADER]),
        ("50000", [UNIT_HEAD, FUNCTIONAL, FINANCE, LEADER, FIN_LEADER, PRINCIPAL]),
        ("300000", [UNIT_HEAD, FUNCTIONAL, FINANCE, LEADER, FIN_LEADER, PRINCIPAL, COLLECTIVE]),
    ],
    C.WORKS: [
        ("0", [UNIT_HEAD, FUNCTIONAL, FINANCE, LEADER]),
        ("10000", [UNIT_HEAD, FUNCTIONAL, FINANCE, LEADER, FIN_LEADER]),
        ("50000", [UNIT_HEAD, FUNCTIONAL, FINANCE, LEADER, FIN_LEADER, PRINCIPAL]),
        ("300000", [UNIT_HEAD, FUNCTIONAL, FINANCE, LEADER, FIN_LEADER, PRINCIPAL, COLLECTIVE]),
    ],
}
# A route per stage (issue 11): the need takes the tiered route of its category; the later
# stages of the chain have routes of their own, chosen by the amount each decides, so a small
# purchase (under ¥10,000) needs 8 decisions from need to payment: need 2, method filed,
# quotes and award 2, contract countersign 2, acceptance team 1, payment 1.
# (scope category or "" for every matter, stage key) → tiers
STAGE_POLICIES = {
    (C.PROCUREMENT, "budget"): [
        ("0", [UNIT_HEAD, FINANCE]),
        ("10000", [UNIT_HEAD, FUNCTIONAL, FINANCE, LEADER]),
        ("50000", [UNIT_HEAD, FUNCTIONAL, FINANCE, LEADER, FIN_LEADER, PRINCIPAL]),
        ("300000", [UNIT_HEAD, FUNCTIONAL, FINANCE, LEADER, FIN_LEADER, PRINCIPAL, COLLECTIVE]),
    ],
    ("", "purchase"): [
        ("0", []),  # the method of a small purchase is checked by the system and reviewed with the award
        ("10000", [PURCHASE_CENTRE]),
        ("300000", [PURCHASE_CENTRE, LEADER]),
    ],
    ("", "award"): [
        ("0", [PURCHASE_CENTRE, UNIT_HEAD]),
        ("50000", [PURCHASE_CENTRE, UNIT_HEAD, LEADER]),
        ("300000", [PURCHASE_CENTRE, UNIT_HEAD, LEADER, PRINCIPAL]),
    ],
    ("", "contract"): [
        ("0", [FINANCE, LEGAL]),
        ("10000", [FINANCE, LEGAL, LEADER]),
        ("50000", [FINANCE, LEGAL, LEADER, PRINCIPAL]),
        ("300000", [FINANCE, LEGAL, LEADER, PRINCIPAL, COLLECTIVE]),
    ],
    ("", "acceptance"): [("0", [TEAM])],
    ("", "payment"): [
        ("0", [FINANCE]),
        ("10000", [FINANCE, LEADER]),
        ("300000", [FINANCE, LEADER, FIN_LEADER]),
    ],
}


def _tiers(tiers, *, category="", stage=""):
    """Seed one scope's tiers, each named from its range (approvals.tiers.tier_name)."""
    for i, (start, steps) in enumerate(tiers):
        end = Decimal(tiers[i + 1][0]) if i + 1 < len(tiers) else None
        _policy(tier_name(category=category, stage=stage, start=Decimal(start), end=end),
                category=category, stage=stage, start=start, steps=steps)


def _policy(name, *, category="", matter=None, stage="", start, steps):
    policy, created = Policy.objects.get_or_create(
        matter=matter, category=category, stage=stage, min_amount=Decimal(start), defaults={"name": name}
    )
    if created:
        PolicyStep.objects.bulk_create([
            PolicyStep(policy=policy, order=i, kind=step[0], mode=step[1], role=step[2],
                       field=step[3] if len(step) > 3 else "")
            for i, step in enumerate(steps, start=1)
        ])
    return policy


@transaction.atomic
def seed(stdout=None) -> dict:
    for order, (code, name, cat, money, stages, attachments, field, low_risk, regs) in enumerate(MATTERS):
        Matter.objects.update_or_create(
            code=code,
            defaults={
                "name": name, "category": cat, "spends_money": money, "amount_required": money,
                "stages": stages, "required_attachments": attachments, "functional_field": field,
                "low_risk": low_risk, "regulations": regs, "sort_order": order,
            },
        )
    _tiers(MONEY_TIERS)
    for cat, tiers in CATEGORY_POLICIES.items():
        _tiers(tiers, category=cat)
    for (cat, stage), tiers in STAGE_POLICIES.items():
        _tiers(tiers, category=cat, stage=stage)
    summary = {"matters": Matter.objects.count(), "policies": Policy.objects.count()}
    if stdout:
        stdout.write(f"approvals: {summary['matters']} matters, {summary['policies']} policy tiers")
    return summary


__all__ = ["seed", "Role"]
