"""Demo data of procurement: the thresholds table with the DESIGN defaults, realistic
suppliers of 宝安区 with valid unified social credit codes, and the stages of the
procurement and contract matters seeded by ``approvals.demo``.

Idempotent: thresholds are keyed by (kind, category, in force from), suppliers by their
credit code, matters are updated in place."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from approvals.models import Matter
from core.stages import Stage

from .models import Supplier, SupplierQualification, Threshold
from .validators import CHARSET, make_credit_code

# Matter code → stage sections (and header rules). A procurement case runs the whole chain
# in one form; payments and supplements are forms of their own, linked to the contract.
MATTER_STAGES = {
    "CG-SQ": {"stages": [Stage.BUDGET, Stage.PURCHASE, Stage.AWARD, Stage.CONTRACT, Stage.ACCEPTANCE]},
    "CG-DYLY": {"stages": [Stage.BUDGET, Stage.PURCHASE, Stage.AWARD, Stage.CONTRACT, Stage.ACCEPTANCE]},
    "HT-SP": {"stages": [Stage.BUDGET, Stage.CONTRACT, Stage.ACCEPTANCE]},
    "HT-FK": {"stages": [Stage.PAYMENT]},
    # the amount of a supplement is its change (empty when only the terms change)
    "HT-BC": {"stages": [Stage.SUPPLEMENT], "spends_money": False, "amount_required": False},
    "GC-YS": {"stages": [Stage.ACCEPTANCE]},
}

GUOBAN_55 = "《地方预算单位政府集中采购目录及标准指引（2020年版）》（国办发〔2019〕55号）"
FGW_16 = "《必须招标的工程项目规定》（国家发展改革委令第16号）"
LOCAL_SUPERVISION = "本地规定：总投资100万元以上的工程须委托监理"
OFFICE_RULES = "《街道内部采购管理办法》（街道党工委会议审定）"
OFFICE_DECISION = "《街道“三重一大”决策制度实施办法》"

# kind, category, amount, regulation, in force from
THRESHOLDS = [
    ("small_purchase", "", "100000", OFFICE_RULES, dt.date(2024, 1, 1)),
    ("decentralised", "goods", "1000000", GUOBAN_55, dt.date(2021, 1, 1)),
    ("decentralised", "services", "1000000", GUOBAN_55, dt.date(2021, 1, 1)),
    ("decentralised", "works", "1200000", GUOBAN_55, dt.date(2021, 1, 1)),
    ("open_tender", "goods", "2000000", GUOBAN_55, dt.date(2021, 1, 1)),
    ("open_tender", "services", "2000000", GUOBAN_55, dt.date(2021, 1, 1)),
    ("works_tender", "works", "4000000", FGW_16, dt.date(2018, 6, 1)),
    ("supervision", "works", "1000000", LOCAL_SUPERVISION, dt.date(2020, 1, 1)),
    ("collective", "", "300000", OFFICE_DECISION, dt.date(2024, 1, 1)),
]

BAOAN = "440306"
# name, area, legal representative, address, contact, phone, bank, account, sme, qualifications [(name, number, years valid or None)]
SUPPLIERS = [
    ("深圳市华信办公设备有限公司", BAOAN, "陈志华", "深圳市宝安区新桥街道新玉路18号", "李敏", "0755-27345612", "中国工商银行深圳宝安支行", "4000023009200458761", True, [("营业执照", "", None)]),
    ("深圳市宏达家具有限公司", BAOAN, "黄建新", "深圳市宝安区沙井街道沙一工业区6栋", "黄丽", "0755-27241188", "中国建设银行深圳沙井支行", "44250100003900001235", True, [("营业执照", "", None)]),
    ("深圳市星辰印刷有限公司", "440307", "刘德明", "深圳市龙岗区平湖街道华南大道52号", "刘洋", "0755-28451239", "中国农业银行深圳平湖支行", "41020500040012345", True, [("印刷经营许可证", "粤新出印证字4403000123", 3)]),
    ("深圳市联科信息技术有限公司", "440305", "周海涛", "深圳市南山区粤海街道科技园中区12栋", "周杰", "0755-86541230", "招商银行深圳科技园支行", "755912345610801", True, [("信息系统建设和服务能力等级证书", "CS3-4403-000512", 2)]),
    ("深圳市鹏程物业管理有限公司", BAOAN, "吴国庆", "深圳市宝安区新安街道创业二路98号", "吴芳", "0755-29987654", "中国银行深圳宝安支行", "745457912345", True, [("物业服务企业信用等级证书", "SZWY-2024-0318", 2)]),
    ("深圳市洁美环境卫生服务有限公司", BAOAN, "郑秀英", "深圳市宝安区福永街道凤凰大道33号", "郑伟", "0755-27789911", "中国邮政储蓄银行深圳福永支行", "944005010001234567", True, [("城市生活垃圾经营性清扫、收集、运输服务许可证", "深宝城管许字2023-017", 2)]),
    ("深圳市绿源园林绿化有限公司", BAOAN, "林志明", "深圳市宝安区松岗街道松福大道120号", "林静", "0755-29981234", "深圳农村商业银行松岗支行", "000309876543210", True, [("园林绿化养护服务能力证书", "SZYL-YH-2024-112", 2)]),
    ("深圳市安捷消防设备工程有限公司", BAOAN, "杨强", "深圳市宝安区西乡街道宝源路1060号", "杨磊", "0755-29765432", "中国工商银行深圳西乡支行", "4000023109200112233", True, [("消防设施工程专业承包二级", "D244012345", -1)]),
    ("深圳市诚信工程监理有限公司", "440304", "徐建华", "深圳市福田区华强北街道深南中路2008号", "徐超", "0755-83334567", "中国建设银行深圳福田支行", "44201501100052512345", True, [("工程监理综合资质", "E144001234", 3)]),
    ("深圳市粤华电梯工程有限公司", "440306", "何文杰", "深圳市宝安区石岩街道宝石南路66号", "何敏", "0755-27601234", "中国银行深圳石岩支行", "762456123789", True, [("特种设备安装改造维修许可证（电梯）", "TS3144123-2027", 2)]),
    ("深圳市智安科技有限公司", "440306", "马俊杰", "深圳市宝安区航城街道黄田工业区A3栋", "马娜", "0755-23456781", "招商银行深圳宝安支行", "755923456710901", True, [("安全技术防范工程设计施工维护能力证书", "GDAF-2023-4401", 2)]),
    ("深圳市安信保安服务有限公司", "440306", "郭刚", "深圳市宝安区新安街道宝城67区", "郭娟", "0755-27881234", "中国工商银行深圳宝城支行", "4000023209200334455", True, [("保安服务许可证", "粤公保服字440306012", 4)]),
    ("深圳市新桥餐饮管理有限公司", BAOAN, "曾国华", "深圳市宝安区新桥街道上星路21号", "曾艳", "0755-27365588", "中国农业银行深圳新桥支行", "41020600040023456", True, [("食品经营许可证", "JY14403060123456", 3)]),
    ("深圳市蓝天车辆维修有限公司", BAOAN, "宋明", "深圳市宝安区沙井街道新沙路520号", "宋涛", "0755-27223344", "中国建设银行深圳新沙支行", "44250100003900012346", True, [("机动车维修经营备案", "深交宝维备2022-0098", None)]),
    ("深圳市新桥建筑工程有限公司", BAOAN, "罗建国", "深圳市宝安区新桥街道新桥大道299号", "罗伟", "0755-27351234", "中国银行深圳新桥支行", "768456789012", True, [("建筑工程施工总承包三级", "D344056789", 3), ("安全生产许可证", "（粤）JZ安许证字〔2024〕034567", 2)]),
    ("广东正信工程造价咨询有限公司", "440106", "梁文博", "广州市天河区珠江新城华夏路10号", "梁思远", "020-38881234", "中国工商银行广州天河支行", "3602000109200123456", False, [("工程造价咨询企业甲级资质", "甲180144001234", 2)]),
    ("深圳市明德律师事务所", "440304", "许晓东", "深圳市福田区福华三路88号", "许海燕", "0755-82991234", "招商银行深圳福田支行", "755934567810201", True, [("律师事务所执业许可证", "31440000MD0123456X", None)]),
    ("深圳市中审会计师事务所（特殊普通合伙）", "440303", "韩国庆", "深圳市罗湖区东门街道深南东路3005号", "韩玉兰", "0755-82221234", "中国银行深圳罗湖支行", "753456123456", False, [("会计师事务所执业证书", "47470123", None)]),
    ("中国电信股份有限公司深圳分公司", "440300", "冯晓明", "深圳市福田区深南中路4005号", "冯雨欣", "0755-88881000", "中国工商银行深圳分行营业部", "4000021109200001001", False, [("基础电信业务经营许可证", "A1.A2-20050001", None)]),
    ("深圳市速达装饰工程有限公司", BAOAN, "邓子涵", "深圳市宝安区福海街道塘尾社区7号", "邓浩然", "0755-27651234", "中国农业银行深圳福海支行", "41020700040034567", True, [("建筑装修装饰工程专业承包二级", "D244098765", 1)]),
]
BLACKLIST = {"深圳市速达装饰工程有限公司": "2026年被列入失信被执行人名单（信用中国），拖欠农民工工资未履行生效判决"}


def _org8(index: int) -> str:
    """Eight characters of a made-up but well-formed organisation code (MA5… style)."""
    n = 7919 * (index + 11) + 104729
    tail = ""
    for _ in range(5):
        n, r = divmod(n, len(CHARSET))
        tail += CHARSET[r]
    return "MA5" + tail


def configure_matters() -> int:
    """Point the procurement and contract matters at our stage sections."""
    n = 0
    for code, fields in MATTER_STAGES.items():
        n += Matter.objects.filter(code=code).update(**fields)
    return n


def seed_thresholds() -> int:
    created = 0
    for kind, category, amount, regulation, start in THRESHOLDS:
        _t, was_created = Threshold.objects.get_or_create(
            kind=kind, category=category, effective_from=start,
            defaults={"amount": Decimal(amount), "regulation": regulation},
        )
        created += was_created
    return created


def seed_suppliers(*, today: dt.date | None = None) -> dict[str, Supplier]:
    today = today or timezone.localdate()
    out = {}
    for i, (name, area, legal, address, contact, phone, bank, account, sme, quals) in enumerate(SUPPLIERS):
        prefix = "31" if name.endswith("律师事务所") else "91"
        code = make_credit_code(area=area, org8=_org8(i), prefix=prefix)
        supplier, created = Supplier.objects.get_or_create(
            credit_code=code,
            defaults={"name": name, "legal_representative": legal, "address": address, "contact_person": contact,
                      "phone": phone, "bank_name": bank, "bank_account": account, "is_sme": sme},
        )
        if created:
            for qname, number, years in quals:
                valid = None
                if years is not None:
                    valid = today.replace(year=today.year + years, day=min(today.day, 28)) if years > 0 else today - dt.timedelta(days=45)
                SupplierQualification.objects.create(supplier=supplier, name=qname, number=number, valid_until=valid)
            reason = BLACKLIST.get(name)
            if reason:
                supplier.blacklisted = True
                supplier.blacklist_reason = reason
                supplier.blacklisted_at = timezone.now()
                supplier.save(update_fields=["blacklisted", "blacklist_reason", "blacklisted_at"])
        out[name] = supplier
    return out


@transaction.atomic
def seed(stdout=None) -> dict:
    matters = configure_matters()
    thresholds = seed_thresholds()
    suppliers = seed_suppliers()
    summary = {"matters": matters, "thresholds": Threshold.objects.count(), "suppliers": Supplier.objects.count()}
    if stdout:
        stdout.write(
            f"procurement: {summary['thresholds']} thresholds ({thresholds} new), {summary['suppliers']} suppliers, "
            f"{matters} matters staged"
        )
    return summary
