"""Notices: one unread notice per person, case and event (the source of the copies was the
same step waiting again — the finance reviewer of every stage, a resubmission — each adding a
new identical notice); marked all read with one POST; grouped by case; sorting a list keeps
its filters."""

import re

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from approvals import services
from approvals.models import Notification

pytestmark = pytest.mark.django_db


def _waiting(user, case):
    return Notification.objects.filter(user=user, case=case, event="waiting")


def test_a_step_waiting_again_while_unread_updates_the_notice_instead_of_adding_one(office, make_case):
    case = make_case("500")
    assert _waiting(office.head, case).count() == 1
    services.case_return(case=case, actor=office.head, comment="请补充报价单。")
    services.case_resubmit(case=case, actor=office.clerk, comment="已补充。")
    assert _waiting(office.head, case).count() == 1  # still one, brought up to date
    assert _waiting(office.head, case).get().read_at is None
    # once read, the next wait is news again
    _waiting(office.head, case).update(read_at="2026-01-01T00:00:00Z")
    services.case_return(case=case, actor=office.head, comment="请再补充。")
    services.case_resubmit(case=case, actor=office.clerk, comment="已补充。")
    assert _waiting(office.head, case).count() == 2
    assert _waiting(office.head, case).filter(read_at__isnull=True).count() == 1


def test_the_same_person_named_twice_is_told_once(office, make_case):
    case = make_case("500")
    services.notify([office.head, office.head, None], case, "合同即将到期。")
    services.notify([office.head, office.head], case, "合同即将到期。", event="reminder")
    assert Notification.objects.filter(user=office.head, text="合同即将到期。").count() == 2


def test_the_database_refuses_a_second_unread_notice_of_the_same_event(office, make_case):
    case = make_case("500")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(user=office.head, case=case, event="waiting", text="重复")
    assert _waiting(office.head, case).count() == 1


def test_mark_all_read_needs_a_post_with_csrf(office, make_case):
    make_case("500", title="甲")
    make_case("600", title="乙")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(office.head)
    assert strict.get(reverse("approvals:notifications_read_all")).status_code == 405
    assert strict.post(reverse("approvals:notifications_read_all")).status_code == 403
    assert Notification.objects.filter(user=office.head, read_at__isnull=True).count() == 2
    client = Client()
    client.force_login(office.head)
    r = client.post(reverse("approvals:notifications_read_all"), follow=True)
    assert "2 条通知已标为已读" in r.content.decode()
    assert not Notification.objects.filter(user=office.head, read_at__isnull=True).exists()


def test_notices_are_grouped_by_case(client, office, make_case):
    a = make_case("500", title="甲")
    b = make_case("600", title="乙")
    services.case_urge(case=a, actor=office.clerk)
    client.force_login(office.head)
    html = client.get(reverse("approvals:notifications")).content.decode()
    assert html.count('data-testid="notice-group"') == 2
    assert html.count('data-testid="notice"') == 3
    assert a.number in html and b.number in html


def test_sort_links_keep_the_filters(client, office, make_case, spend):
    make_case("500")
    client.force_login(office.head)
    html = client.get(reverse("approvals:inbox"), {"matter": spend.pk, "q": "桌椅", "page": "1"}).content.decode()
    links = re.findall(r'href="(\?[^"]*sort=[^"]*)"', html)
    assert len(links) == 3
    for link in links:
        assert f"matter={spend.pk}" in link and "q=%E6%A1%8C%E6%A4%85" in link and "page=" not in link
    # and filtering keeps the sort
    html = client.get(reverse("approvals:inbox"), {"sort": "-amount"}).content.decode()
    assert '<input type="hidden" name="sort" value="-amount">' in html
