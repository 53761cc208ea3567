"""In a real browser (Debian's Chromium): sign in, see the Chinese shell, use it at phone width,
with no request refused by the content-security policy and no script error."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page, user, password):
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def _watch_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("requestfailed", lambda req: errors.append(f"failed: {req.url}"))
    return errors


def test_sign_in_and_see_the_chinese_shell_on_a_desktop(page, office):
    errors = _watch_errors(page)
    _sign_in(page, office.leader, office.password)
    assert page.get_by_test_id("current-user").inner_text() == office.leader.full_name
    nav = page.get_by_test_id("sidenav")
    assert nav.is_visible()
    for label in ("待办", "我的申请", "预算", "采购", "合同", "基建", "资产", "财务", "风险预警", "报表"):
        assert nav.get_by_text(label, exact=True).is_visible(), label
    link = nav.get_by_role("link", name="预算")
    href = link.get_attribute("href")
    link.click()
    page.wait_for_url(f"**{href}")
    # the stylesheets really loaded (Bootstrap sets the navbar's colour)
    assert page.eval_on_selector(".navbar", "el => getComputedStyle(el).position") == "sticky"
    assert errors == []


def test_the_shell_works_at_phone_width(browser, live_server, office):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    errors = _watch_errors(page)
    try:
        _sign_in(page, office.principal, office.password)
        nav = page.get_by_test_id("sidenav")
        assert not nav.is_visible()  # folded away on a phone
        page.get_by_role("button", name="菜单").click()
        link = nav.get_by_role("link", name="我的申请")
        link.wait_for(state="visible")
        href = link.get_attribute("href")
        link.click()
        page.wait_for_url(f"**{href}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390  # nothing sticks out sideways
        assert errors == []
    finally:
        context.close()


def test_logout_from_the_person_menu(page, office):
    _sign_in(page, office.clerk, office.password)
    page.get_by_test_id("current-user").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/accounts/login/")
    page.goto("/")
    assert "/accounts/login/" in page.url
