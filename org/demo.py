"""Demo organisation: a street office of 23 departments/centres and 7 communities."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.db import transaction

from .models import FunctionalDepartment, Role, Unit, User

DEMO_PASSWORD = "Neiqiao@2026"

LEADERSHIP = ("LDBZ", "街道领导班子")
DEPARTMENTS = [
    ("DZB", "党政办公室"),
    ("DJB", "党建工作办公室"),
    ("JJB", "纪检监察办公室"),
    ("CZB", "财政办公室"),
    ("CGZX", "采购中心"),
    ("JSB", "建设办公室"),
    ("ZCB", "集体资产管理办公室"),
    ("ZZB", "组织人事办公室"),
    ("XCB", "宣传文体办公室"),
    ("TZB", "统战和社会建设办公室"),
    ("SQB", "社区建设办公室"),
    ("GFB", "公共服务办公室"),
    ("JFB", "经济服务办公室"),
    ("CGB", "城市管理办公室"),
    ("AJB", "安全生产监督管理办公室"),
    ("YJB", "应急管理办公室"),
    ("ZWB", "综治维稳办公室"),
    ("XFB", "信访办公室"),
    ("GTD", "规划土地监察执法队"),
    ("ZFD", "综合行政执法队"),
    ("DQZX", "党群服务中心"),
    ("GSZX", "公共事业服务中心"),
    ("TYZ", "退役军人服务站"),
]
COMMUNITIES = [
    ("SQ01", "新桥社区"),
    ("SQ02", "上星社区"),
    ("SQ03", "沙企社区"),
    ("SQ04", "新二社区"),
    ("SQ05", "黄埔社区"),
    ("SQ06", "万丰社区"),
    ("SQ07", "上寮社区"),
]
FUNCTIONAL = {
    FunctionalDepartment.Field.MONEY: "CZB",
    FunctionalDepartment.Field.PURCHASE: "CGZX",
    FunctionalDepartment.Field.WORKS: "JSB",
    FunctionalDepartment.Field.DOCUMENTS: "DZB",
    FunctionalDepartment.Field.ASSETS: "ZCB",
}
# Deputy leaders and the units each supervises (fuzhuren1 supervises finance: the "leader in charge of finance").
DEPUTIES = {
    "fuzhuren1": ("陈建国", "副主任（分管财政）", ["CZB", "CGZX", "ZCB", "JFB", "SQ01", "SQ02"]),
    "fuzhuren2": ("林志强", "副主任（分管建设）", ["JSB", "CGB", "GTD", "ZFD", "SQ03"]),
    "fuzhuren3": ("黄丽华", "副书记（分管党群）", ["DZB", "DJB", "JJB", "ZZB", "XCB", "TZB", "DQZX", "SQ04"]),
    "fuzhuren4": ("吴海涛", "副主任（分管安全）", ["AJB", "YJB", "ZWB", "XFB", "SQ05"]),
    "fuzhuren5": ("郑晓梅", "副主任（分管民生）", ["SQB", "GFB", "GSZX", "TYZ", "SQ06", "SQ07"]),
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = [
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞",
    "平", "刚", "桂英", "文博", "嘉怡", "子涵", "浩然", "思远", "雨欣", "俊杰", "晓东", "建华", "志明", "海燕", "玉兰", "国庆",
]


def _name(i: int) -> str:
    return SURNAMES[(i * 7) % len(SURNAMES)] + GIVEN[(i * 11) % len(GIVEN)]


@transaction.atomic
def seed(stdout=None) -> dict:
    password_hash = make_password(DEMO_PASSWORD)
    units: dict[str, Unit] = {}
    leadership, _ = Unit.objects.update_or_create(
        code=LEADERSHIP[0], defaults={"name": LEADERSHIP[1], "kind": Unit.Kind.LEADERSHIP, "sort_order": 0}
    )
    units[LEADERSHIP[0]] = leadership
    for order, (code, name) in enumerate(DEPARTMENTS, start=1):
        units[code], _ = Unit.objects.update_or_create(
            code=code, defaults={"name": name, "kind": Unit.Kind.DEPARTMENT, "sort_order": order * 10}
        )
    for order, (code, name) in enumerate(COMMUNITIES, start=100):
        units[code], _ = Unit.objects.update_or_create(
            code=code, defaults={"name": name, "kind": Unit.Kind.COMMUNITY, "sort_order": order * 10}
        )
    for field, code in FUNCTIONAL.items():
        FunctionalDepartment.objects.update_or_create(field=field, defaults={"unit": units[code]})

    counter = iter(range(10_000))

    def person(username, unit, roles, title="", full_name=None, **extra):
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"password": password_hash, "full_name": full_name or _name(next(counter) + 3)},
        )
        user.unit = unit
        user.roles = sorted(set(roles))
        user.title = title
        for k, v in extra.items():
            setattr(user, k, v)
        if full_name:
            user.full_name = full_name
        user.save()
        return user

    person("shuji", leadership, [Role.PRINCIPAL], "党工委书记", full_name="刘振华")
    person("zhuren", leadership, [Role.PRINCIPAL], "街道办事处主任", full_name="何文斌")
    for username, (full_name, title, codes) in DEPUTIES.items():
        leader = person(username, leadership, [Role.LEADER], title, full_name=full_name)
        Unit.objects.filter(code__in=codes).update(leader_in_charge=leader)

    for code, unit in units.items():
        if code == LEADERSHIP[0]:
            continue
        person(f"{code.lower()}_head", unit, [Role.UNIT_HEAD], "负责人" if unit.kind == Unit.Kind.DEPARTMENT else "社区党委书记")
        clerks = 3 if unit.kind == Unit.Kind.DEPARTMENT else 2
        for n in range(1, clerks + 1):
            person(f"{code.lower()}_clerk{n}", unit, [Role.CLERK], "经办人")

    czb, jjb, dzb = units["CZB"], units["JJB"], units["DZB"]
    person("caiwu", czb, [Role.FINANCE_REVIEWER], "财务审核")
    person("caiwu2", czb, [Role.FINANCE_REVIEWER], "财务审核")
    person("kuaiji", czb, [Role.ACCOUNTANT], "会计")
    person("kuaiji2", czb, [Role.ACCOUNTANT], "会计")
    person("chuna", czb, [Role.CASHIER], "出纳")
    person("jijian", jjb, [Role.SUPERVISOR], "纪检监察员")
    person("shenji", jjb, [Role.SUPERVISOR], "内部审计")
    person("admin", dzb, [Role.ADMIN], "系统管理员", is_staff=True, is_superuser=True)
    summary = {
        "units": Unit.objects.count(),
        "users": User.objects.filter(is_active=True).exclude(username__startswith="Anonymous").count(),
    }
    if stdout:
        stdout.write(f"org: {summary['units']} units, {summary['users']} people (password {DEMO_PASSWORD})")
    return summary
