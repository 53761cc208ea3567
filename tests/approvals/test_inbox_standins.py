"""Stand-ins shown before the decision — the route preview and the "now at" banner read
"黄丽华（郑晓梅代）" — and set by an administrator for any leader in the app; a stand-in who
is the leader themself or outside the leader's scope is refused and nothing is saved."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals.models import Delegation

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def _delegate(principal, deputy, **kw):
    return Delegation.objects.create(principal=principal, deputy=deputy, start=_today() - dt.timedelta(days=1),
                                     end=_today() + dt.timedelta(days=5), **kw)


def _name(user, deputy):
    return f"{user.get_full_name()}（{deputy.get_full_name()}代）"


def test_the_route_preview_names_the_stand_in(client, office, spend):
    _delegate(office.leader, office.finance_leader)
    client.force_login(office.clerk)
    html = client.get(reverse("approvals:preview", args=[spend.pk]), {"amount": "60000"}).content.decode()
    assert _name(office.leader, office.finance_leader) in html
    # a delegation ended, or limited to another category, is not shown
    Delegation.objects.update(is_active=False)
    _delegate(office.leader, office.finance_leader, category="RS")
    html = client.get(reverse("approvals:preview", args=[spend.pk]), {"amount": "60000"}).content.decode()
    assert "代）" not in html and office.leader.get_full_name() in html


def test_the_now_at_banner_names_the_stand_in(client, office, make_case):
    case = make_case("500")  # waits at the unit head
    _delegate(office.head, office.clerk2)
    client.force_login(office.clerk)
    html = client.get(reverse("approvals:detail", args=[case.pk])).content.decode()
    assert f'data-testid="now-at-holder">{_name(office.head, office.clerk2)}<' in html


def test_a_stand_in_who_filed_the_form_is_not_shown_for_it(client, office, make_case):
    case = make_case("500", applicant=office.clerk2)
    _delegate(office.head, office.clerk2)
    client.force_login(office.clerk2)
    html = client.get(reverse("approvals:detail", args=[case.pk])).content.decode()
    assert f'data-testid="now-at-holder">{office.head.get_full_name()}<' in html


def _post(client, **data):
    base = {"start": str(_today()), "end": str(_today() + dt.timedelta(days=3)), "reason": "外出学习"}
    return client.post(reverse("approvals:delegations"), {**base, **data})


def test_an_administrator_sets_a_stand_in_for_any_leader(client, office):
    client.force_login(office.admin)
    page = client.get(reverse("approvals:delegations")).content.decode()
    assert 'name="principal"' in page
    r = _post(client, principal=office.leader.pk, deputy=office.finance_leader.pk)
    assert r.status_code == 302
    d = Delegation.objects.get()
    assert (d.principal, d.deputy) == (office.leader, office.finance_leader)
    page = client.get(reverse("approvals:delegations")).content.decode()
    assert office.leader.get_full_name() in page and 'data-testid="in-force"' in page
    # and may end it
    assert client.post(reverse("approvals:delegation_end", args=[d.pk])).status_code == 302
    d.refresh_from_db()
    assert not d.is_active


@pytest.mark.parametrize("case", ["self", "outside"])
def test_a_stand_in_who_is_the_leader_or_outside_the_scope_is_refused(client, office, case):
    client.force_login(office.admin)
    outsider = office.cashier  # 财政办: not under 林志强, not in the leadership
    deputy = office.leader if case == "self" else outsider
    r = _post(client, principal=office.leader.pk, deputy=deputy.pk)
    assert r.status_code == 400
    html = r.content.decode()
    if case == "self":
        assert "不能为自己代理" in html
    else:
        assert f"{outsider.get_full_name()}不在{office.leader.get_full_name()}的职责范围内" in html
    assert not Delegation.objects.exists()


def test_a_leader_names_only_their_own_stand_in(client, office):
    client.force_login(office.leader)
    assert 'name="principal"' not in client.get(reverse("approvals:delegations")).content.decode()
    r = _post(client, principal=office.finance_leader.pk, deputy=office.heads["gfb"].pk)
    assert r.status_code == 302  # the principal field is ignored: the delegation is the leader's own
    d = Delegation.objects.get()
    assert d.principal == office.leader
    # and a head of a unit under them is within scope; ending someone else's is not theirs
    other = _delegate(office.finance_leader, office.principal)
    assert client.post(reverse("approvals:delegation_end", args=[other.pk])).status_code == 404
