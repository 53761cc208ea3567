"""The warning desk: who sees what, the list's filters and fixed query count, handling a
warning (a reason required to close it, the trail of who looked and acted, a notice to the
owner), and the administrator tuning a rule in the admin, which the next scan uses."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals.models import Notification
from budget import services as budget_services
from risk import engine
from risk.models import RiskWarning, RuleSetting, WarningAction

pytestmark = pytest.mark.django_db


def _warning(office, unit, n=1, rule="BUD-02", severity="low"):
    return RiskWarning.objects.create(rule_code=rule, key=f"org.unit:{unit.pk}:{n}", records=[["org.unit", unit.pk]],
                                      message=f"{unit.name} 预警 {n}", severity=severity, unit=unit)


def test_who_sees_which_warnings(client, office):
    own = _warning(office, office.unit)  # 公共服务办: the leader supervises it
    foreign = _warning(office, office.units["cgzx"])  # 采购中心: the finance leader's
    for person, expected in ((office.supervisor, {own, foreign}), (office.principal, {own, foreign}),
                             (office.leader, {own}), (office.finance_leader, {foreign})):
        client.force_login(person)
        response = client.get(reverse("risk:index"))
        assert response.status_code == 200, person
        assert set(response.context["page_obj"].object_list) == expected, person
    client.force_login(office.clerk)
    assert client.get(reverse("risk:index")).status_code == 403
    client.force_login(office.leader)
    assert client.get(reverse("risk:detail", args=[foreign.pk])).status_code == 404


def test_the_list_filters_and_runs_a_fixed_number_of_queries(client, office, django_assert_max_num_queries):
    for n in range(30):
        _warning(office, office.unit if n % 2 else office.units["cgzx"], n, severity="high" if n % 3 == 0 else "low")
    client.force_login(office.supervisor)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("risk:index"))
    assert len(response.context["page_obj"].object_list) == 30
    response = client.get(reverse("risk:index"), {"severity": "high", "unit": office.unit.pk})
    assert {w.severity for w in response.context["page_obj"]} == {"high"}
    assert {w.unit_id for w in response.context["page_obj"]} == {office.unit.pk}
    assert len(response.context["page_obj"].object_list) == 5


def test_handling_a_warning_leaves_its_trail_and_tells_the_owner(client, office):
    warning = _warning(office, office.unit)
    client.force_login(office.supervisor)  # reads everything, changes no business record, handles warnings
    assert client.get(reverse("risk:detail", args=[warning.pk])).status_code == 200
    client.post(reverse("risk:act", args=[warning.pk]), {"action": "acknowledge"})
    client.post(reverse("risk:act", args=[warning.pk]), {"action": "assign", "owner": office.head.pk})
    warning.refresh_from_db()
    assert warning.status == "acknowledged" and warning.owner == office.head
    assert Notification.objects.filter(user=office.head, text__contains="风险预警").exists()
    # the owner resolves it: a reason is required
    client.force_login(office.head)
    response = client.post(reverse("risk:act", args=[warning.pk]), {"action": "resolve", "note": "  "}, follow=True)
    assert "请填写理由" in response.content.decode()
    warning.refresh_from_db()
    assert warning.status == "acknowledged"
    client.post(reverse("risk:act", args=[warning.pk]), {"action": "resolve", "note": "已补办预算调整手续"})
    warning.refresh_from_db()
    assert warning.status == "resolved" and warning.close_note == "已补办预算调整手续"
    kinds = list(warning.actions.values_list("kind", "actor__username"))
    assert kinds == [("viewed", office.supervisor.username), ("acknowledged", office.supervisor.username), ("assigned", office.supervisor.username),
                     ("viewed", office.head.username), ("resolved", office.head.username)]
    # closed: nothing more
    response = client.post(reverse("risk:act", args=[warning.pk]), {"action": "dismiss", "note": "x"}, follow=True)
    assert "已关闭" in response.content.decode()


def test_people_outside_the_desk_cannot_handle_a_warning(client, office):
    warning = _warning(office, office.unit)
    client.force_login(office.leader)  # sees it (their unit) but does not handle it
    response = client.post(reverse("risk:act", args=[warning.pk]), {"action": "dismiss", "note": "不是问题"}, follow=True)
    assert "无权处理" in response.content.decode()
    client.force_login(office.clerk)
    assert client.post(reverse("risk:act", args=[warning.pk]), {"action": "dismiss", "note": "x"}).status_code == 403
    warning.refresh_from_db()
    assert warning.status == "open" and not WarningAction.objects.filter(kind="dismissed").exists()


def test_the_administrator_changes_a_threshold_in_the_admin_and_the_next_scan_uses_it(client, office):
    year = timezone.localdate().year
    line = budget_services.budget_line_create(year=year, unit=office.unit, project="会议费", functional_code="2010301",
                                              functional_name="行政运行", economic_code="30215", economic_name="会议费",
                                              amount=Decimal("10000.00"))
    budget_services.budget_execute(line=line, amount=Decimal("8600.00"), source=office.unit, actor=office.accountant)
    assert engine.scan(codes={"BUD-02"}).opened == 0
    setting = RuleSetting.objects.get(code="BUD-02")
    client.force_login(office.admin)
    url = reverse("admin:risk_rulesetting_change", args=[setting.pk])
    page = client.get(url).content.decode()
    assert "已用占调整后预算的比例（%）" in page and 'value="90"' in page  # the parameter, labelled as the rule names it
    form = {"code": "BUD-02", "enabled": "on", "severity": "medium", "mode": "warn", "param_share": "abc",
            "notify_roles": ""}
    response = client.post(url, form)
    assert response.status_code == 200 and "不是数字" in response.content.decode()
    response = client.post(url, {**form, "param_share": "-5"})
    assert "不能为负数" in response.content.decode()
    setting.refresh_from_db()
    assert setting.params == {"share": "90"} and setting.severity == "low"
    response = client.post(url, {**form, "param_share": "85"})
    assert response.status_code == 302
    run = engine.scan(codes={"BUD-02"})
    assert run.opened == 1
    warning = RiskWarning.objects.get(rule_code="BUD-02")
    assert warning.severity == "medium" and warning.figures["threshold"] == "85"
    assert setting.history.count() >= 2


def test_the_navigation_counts_live_warnings(client, office):
    _warning(office, office.unit)
    closed = _warning(office, office.unit, 2)
    RiskWarning.objects.filter(pk=closed.pk).update(status="resolved")
    client.force_login(office.supervisor)
    response = client.get(reverse("home"))
    assert response.context["nav_badges"]["risk"] == 1
