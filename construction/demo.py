"""The construction matters of the catalogue and the demo office's projects (seed_demo)."""

from __future__ import annotations

from django.db import transaction

from approvals.models import Category, Matter
from org.models import FunctionalDepartment

# code → the stages of our sections (the matters themselves come from approvals.demo)
MATTER_STAGES = {
    "GC-LX": {"stages": ["project", "project_budget"], "required_attachments": ["可行性研究报告"],
              "regulations": "估算100万元以上的工程须委托监理（本地规定）\n施工单项合同估算400万元以上的必须招标（国家发展改革委令第16号）\n"
                             "初步设计概算超过投资估算10%的须重新报批立项（政府投资条例 第十二条）"},
    "GC-BG": {"stages": ["project_change"]},
    "GC-JS": {"stages": ["project_settlement"]},
}
PAYMENT_MATTER = {
    "code": "GC-JDK", "name": "工程进度款支付", "category": Category.WORKS, "spends_money": True, "amount_required": True,
    "stages": ["project_payment"], "required_attachments": ["工程进度报告", "发票"],
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


@transaction.atomic
def seed(stdout=None) -> dict:
    n = configure_matters()
    summary = {"matters": n}
    if stdout:
        stdout.write(f"construction: {n} matters")
    return summary
