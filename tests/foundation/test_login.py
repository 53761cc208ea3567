"""Signing in and out, in Chinese."""

from django.urls import reverse


def test_login_page_is_chinese(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "内部控制管理系统" in html
    assert "用户名" in html and "密码" in html and "登录" in html


def test_login_shows_the_chinese_shell(client, office):
    response = client.post(
        reverse("login"), {"username": office.clerk.username, "password": office.password}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    html = response.content.decode()
    assert response.context["user"] == office.clerk
    for label in ("待办", "我的申请", "预算", "采购", "合同", "基建", "资产", "财务", "报表"):
        assert label in html, label
    assert "风险预警" not in html  # the warning desk is for supervision, leaders and administrators
    assert "管理" not in [item["label"] for item in response.context["nav_items"]]
    assert office.clerk.full_name in html
    assert office.unit.name in html
    assert "经办人" in html  # the role label in the person menu


def test_wrong_password_shows_a_clear_message_and_does_not_sign_in(client, office):
    response = client.post(reverse("login"), {"username": office.clerk.username, "password": "wrong-password"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_inactive_user_cannot_sign_in(client, office):
    office.clerk.is_active = False
    office.clerk.save()
    response = client.post(reverse("login"), {"username": office.clerk.username, "password": office.password})
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated


def test_logout_ends_the_session(client, office):
    client.force_login(office.clerk)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_redirects_to_the_page_asked_for(client, office):
    target = reverse("module", args=["budget"])
    response = client.post(
        f"{reverse('login')}?next={target}",
        {"username": office.head.username, "password": office.password, "next": target},
    )
    assert response.status_code == 302
    assert response["Location"] == target


def test_login_ignores_a_next_url_on_another_host(client, office):
    response = client.post(
        reverse("login"),
        {"username": office.head.username, "password": office.password, "next": "https://evil.example.com/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_the_interface_is_chinese_even_when_the_browser_asks_for_english(client, office):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "内部控制管理系统" in response.content.decode()
    client.force_login(office.clerk)
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert "我的申请" in response.content.decode()
