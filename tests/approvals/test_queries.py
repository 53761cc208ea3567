"""List and case pages run a constant number of queries, however many items."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _count_queries(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx.captured_queries)


def test_inbox_query_count_does_not_grow_with_items(client, office, make_case, django_assert_max_num_queries):
    client.force_login(office.head)
    for _ in range(3):
        make_case("100")
    few = _count_queries(client, reverse("approvals:inbox"), django_assert_max_num_queries, 20)
    for _ in range(30):
        make_case("100")
    many = _count_queries(client, reverse("approvals:inbox"), django_assert_max_num_queries, 20)
    assert many == few


def test_my_applications_query_count_is_constant(client, office, make_case, django_assert_max_num_queries):
    client.force_login(office.clerk)
    make_case("100")
    few = _count_queries(client, reverse("approvals:mine"), django_assert_max_num_queries, 20)
    for _ in range(25):
        make_case("100")
    many = _count_queries(client, reverse("approvals:mine"), django_assert_max_num_queries, 20)
    assert many == few


def test_case_page_query_count_is_constant(client, office, make_case, django_assert_max_num_queries):
    from approvals import services

    small = make_case("100")
    big = make_case("400000")  # six steps; four decided, many comments
    for actor in (office.head, office.finance_reviewer, office.leader, office.finance_leader):
        services.case_approve(case=big, actor=actor, comment="同意。")
    for i in range(10):
        services.case_comment(case=big, actor=office.finance_reviewer, comment=f"意见{i}")
    client.force_login(office.supervisor)
    a = _count_queries(client, reverse("approvals:detail", args=[small.pk]), django_assert_max_num_queries, 30)
    b = _count_queries(client, reverse("approvals:detail", args=[big.pk]), django_assert_max_num_queries, 30)
    assert a == b
