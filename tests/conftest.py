"""Shared fixtures: a small street office, Redis for tests marked ``redis``, and a
Chromium browser for tests marked ``e2e``. Tests that need Redis or the browser fail
(never skip) when these are missing: run them through ``make test``, which provides both."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

from org.models import FunctionalDepartment, Role

from .factories import PASSWORD, FunctionalDepartmentFactory, UnitFactory, UserFactory


@pytest.fixture(autouse=True)
def _trail_checkpoint(settings, tmp_path):
    """Each test anchors the trail in its own checkpoint file (never var/ of the checkout,
    which would outlive the test database's rollback and report a shortened chain)."""
    settings.TRAIL_CHECKPOINT = str(tmp_path / "trail_checkpoint.json")


@pytest.fixture
def office(db) -> SimpleNamespace:
    """A small street office with one person in every role.

    Units: leadership, 党政办 (documents 归口), 财政办 (money 归口), 采购中心 (purchase 归口),
    建设办 (works 归口), 资产办 (assets 归口), 纪检办, 公共服务办 (``unit``, an ordinary
    department) and 新桥社区 (``community``). Every unit except the leadership has a head
    (``heads[code]``). ``leader`` supervises 公共服务办, the community, 党政办, 建设办 and 纪检办;
    ``finance_leader`` supervises 财政办, 采购中心 and 资产办.
    """
    leadership = UnitFactory(code="LDBZ", name="街道领导班子", leadership=True, sort_order=0)
    specs = [
        ("dzb", "DZB", "党政办公室", False),
        ("czb", "CZB", "财政办公室", False),
        ("cgzx", "CGZX", "采购中心", False),
        ("jsb", "JSB", "建设办公室", False),
        ("zcb", "ZCB", "集体资产管理办公室", False),
        ("jjb", "JJB", "纪检监察办公室", False),
        ("gfb", "GFB", "公共服务办公室", False),
        ("sq01", "SQ01", "新桥社区", True),
    ]
    units = {}
    for order, (key, code, name, community) in enumerate(specs, start=1):
        units[key] = UnitFactory(code=code, name=name, community=community, sort_order=order * 10)
    functional = {
        FunctionalDepartment.Field.MONEY: units["czb"],
        FunctionalDepartment.Field.PURCHASE: units["cgzx"],
        FunctionalDepartment.Field.WORKS: units["jsb"],
        FunctionalDepartment.Field.DOCUMENTS: units["dzb"],
        FunctionalDepartment.Field.ASSETS: units["zcb"],
    }
    for field, unit in functional.items():
        FunctionalDepartmentFactory(field=field, unit=unit)

    heads = {key: UserFactory(username=f"{key}_head", unit=unit, head=True, title="负责人") for key, unit in units.items()}
    clerk = UserFactory(username="gfb_clerk1", unit=units["gfb"], clerk=True, title="经办人")
    clerk2 = UserFactory(username="gfb_clerk2", unit=units["gfb"], clerk=True, title="经办人")
    community_clerk = UserFactory(username="sq01_clerk1", unit=units["sq01"], clerk=True, title="经办人")
    leader = UserFactory(username="fuzhuren2", full_name="林志强", unit=leadership, leader=True, title="副主任")
    finance_leader = UserFactory(
        username="fuzhuren1", full_name="陈建国", unit=leadership, leader=True, title="副主任（分管财政）"
    )
    for key in ("gfb", "sq01", "dzb", "jsb", "jjb"):
        units[key].leader_in_charge = leader
        units[key].save()
    for key in ("czb", "cgzx", "zcb"):
        units[key].leader_in_charge = finance_leader
        units[key].save()
    principal = UserFactory(username="zhuren", full_name="何文斌", unit=leadership, principal=True, title="主任")
    finance_reviewer = UserFactory(username="caiwu", unit=units["czb"], finance_reviewer=True, title="财务审核")
    accountant = UserFactory(username="kuaiji", unit=units["czb"], accountant=True, title="会计")
    cashier = UserFactory(username="chuna", unit=units["czb"], cashier=True, title="出纳")
    supervisor = UserFactory(username="jijian", unit=units["jjb"], supervisor=True, title="纪检监察员")
    admin = UserFactory(username="admin", unit=units["dzb"], admin=True, title="系统管理员")

    return SimpleNamespace(
        password=PASSWORD,
        leadership=leadership,
        units=units,
        unit=units["gfb"],
        community=units["sq01"],
        functional=functional,
        heads=heads,
        head=heads["gfb"],
        community_head=heads["sq01"],
        clerk=clerk,
        clerk2=clerk2,
        community_clerk=community_clerk,
        leader=leader,
        finance_leader=finance_leader,
        principal=principal,
        finance_reviewer=finance_reviewer,
        accountant=accountant,
        cashier=cashier,
        supervisor=supervisor,
        admin=admin,
        by_role={
            Role.CLERK: clerk,
            Role.UNIT_HEAD: heads["gfb"],
            Role.FINANCE_REVIEWER: finance_reviewer,
            Role.ACCOUNTANT: accountant,
            Role.CASHIER: cashier,
            Role.LEADER: leader,
            Role.PRINCIPAL: principal,
            Role.SUPERVISOR: supervisor,
            Role.ADMIN: admin,
        },
    )


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of a reachable Redis database reserved for tests (``make test`` starts Redis)."""
    url = os.environ.get("CELERY_TEST_BROKER_URL")
    if not url:
        pytest.fail("CELERY_TEST_BROKER_URL is not set: run the suite with `make test`, which starts Redis.")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {url} is not reachable ({exc}): run the suite with `make test`.")
    return url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (no browser download)."""
    path = os.environ.get("NEIQIAO_CHROMIUM", "")
    if not path or not os.access(path, os.X_OK):
        pytest.fail(f"NEIQIAO_CHROMIUM={path!r} is not an executable browser: run the suite with `make test`.")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by tests
    # around it are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=path,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page at desktop width; ``page.base_url`` is the live server."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page
    context.close()
