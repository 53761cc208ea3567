"""One inbox for every kind of work waiting on a person (approvals.work): forms to approve,
a stage to fill next, a return to fix, a payment to make, copies to read — each a tab with
its count, the navigation's badge their sum, in a constant number of queries."""

import re

import pytest
from django.urls import reverse

from approvals import services, work
from approvals.models import Case

from .conftest import approve_all

pytestmark = pytest.mark.django_db


def _badge(html: str) -> int:
    m = re.search(r'data-testid="inbox-count">(\d+)<', html)
    return int(m.group(1)) if m else 0


def _tab_count(html: str, key: str) -> int:
    m = re.search(rf'data-testid="count-{key}">(\d+)<', html)
    return int(m.group(1)) if m else 0


def test_stage_waiting_for_the_applicant_reads_to_fill_not_draft(client, office, make_case):
    case = make_case("3000")
    # the need was approved; the contract stage now waits for the applicant's section
    Case.objects.filter(pk=case.pk).update(status=Case.Status.DRAFT, stage=1, stages=["budget", "contract"],
                                           current_step=None)
    client.force_login(office.clerk)
    r = client.get(reverse("approvals:inbox_tab", args=["fill"]))
    html = r.content.decode()
    assert r.status_code == 200
    assert "待填写：合同" in html and case.number in html
    assert _tab_count(html, "fill") == 1
    assert _badge(html) == 1
    # 我的申请 names it the same way, not 草稿
    mine = client.get(reverse("approvals:mine")).content.decode()
    assert "待填写：合同" in mine


def test_a_return_to_fix_and_copies_to_read_are_counted(client, office, make_case):
    returned = make_case("800", title="退回的申请")
    services.case_return(case=returned, actor=office.head, comment="请补充报价单。")
    copied = make_case("900", applicant=office.clerk2, title="抄送的申请")
    services.case_copy(case=copied, actor=office.clerk2, users=[office.clerk])
    client.force_login(office.clerk)
    html = client.get(reverse("approvals:inbox")).content.decode()
    assert _tab_count(html, "returned") == 1
    assert _tab_count(html, "copied") == 1
    assert _badge(html) == 2
    tab = client.get(reverse("approvals:inbox_tab", args=["returned"])).content.decode()
    assert returned.number in tab and copied.number not in tab
    # reading the copy clears it from the waiting work, the copy stays listed
    client.get(reverse("approvals:detail", args=[copied.pk]))
    html = client.get(reverse("approvals:inbox_tab", args=["copied"])).content.decode()
    assert _tab_count(html, "copied") == 0 and copied.number in html
    assert _badge(html) == 1


def test_the_cashier_sees_the_payment_queue_in_the_inbox(client, office, make_case):
    case = approve_all(make_case("1200", title="报销差旅费"))
    assert case.status == Case.Status.APPROVED
    client.force_login(office.cashier)
    html = client.get(reverse("approvals:inbox")).content.decode()
    assert _tab_count(html, "pay") == 1
    assert _badge(html) == 1
    tab = client.get(reverse("approvals:inbox_tab", args=["pay"])).content.decode()
    assert case.number in tab and reverse("payments:case", args=[case.pk]) in tab
    assert "待付款" in tab
    # nobody else has that tab: asking for it is a 404, not an empty desk
    client.force_login(office.clerk)
    assert 'data-testid="tab-pay"' not in client.get(reverse("approvals:inbox")).content.decode()
    assert client.get(reverse("approvals:inbox_tab", args=["pay"])).status_code == 404


def test_an_unknown_tab_is_not_found(client, office):
    client.force_login(office.clerk)
    assert client.get(reverse("approvals:inbox_tab", args=["nonsense"])).status_code == 404


def test_a_source_key_is_taken_once():
    with pytest.raises(ValueError):
        work.register(work.WorkSource(key="pending", label="x", count=lambda u: 0, items=lambda u, n: []))
    with pytest.raises(ValueError):
        work.register(work.WorkSource(key="not a key", label="x", count=lambda u: 0, items=lambda u, n: []))
    with pytest.raises(ValueError):  # a count and a query, or neither
        work.register(work.WorkSource(key="both", label="x", count=lambda u: 0, query=lambda u: None))


def _queries(client, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(40) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("tab", ["pending", "pay"])
def test_inbox_queries_do_not_grow_from_5_to_50_items(client, office, make_case, django_assert_max_num_queries, tab):
    def fill(n):
        for _ in range(n):
            case = make_case("100")
            if tab == "pay":
                approve_all(case)
    user = office.head if tab == "pending" else office.cashier
    url = reverse("approvals:inbox") if tab == "pending" else reverse("approvals:inbox_tab", args=[tab])
    client.force_login(user)
    fill(5)
    few = _queries(client, url, django_assert_max_num_queries)
    fill(45)
    html = client.get(url).content.decode()
    assert html.count('data-testid="case-row"') == 50
    many = _queries(client, url, django_assert_max_num_queries)
    assert many == few


def test_every_queryset_source_is_counted_in_one_statement(office, make_case, django_assert_num_queries):
    """The badge on every page: the approvals engine's tabs and the acceptance team are
    counted in one SQL statement, and each count equals the queryset's own count."""
    from approvals import selectors

    returned = make_case("800", title="退回的申请")
    services.case_return(case=returned, actor=office.head, comment="请补充报价单。")
    for _ in range(3):
        services.case_copy(case=make_case("900", applicant=office.clerk2), actor=office.clerk2, users=[office.clerk])
    user = type(office.clerk).objects.get(pk=office.clerk.pk)
    queried = [s for s in work.sources_for(user) if s.query is not None]
    assert {"pending", "fill", "returned", "copied", "accept"} <= {s.key for s in queried}
    counts = work.Counts(user)
    with django_assert_num_queries(2):  # the stand-in scopes of today, then every count at once
        tabs = {t["key"]: t["count"] for t in counts.tabs()}
    for source in queried:
        assert tabs[source.key] == source.query(user).count(), source.key
    assert tabs["returned"] == 1 and tabs["copied"] == 3
    assert counts.total == selectors.pending_for(user).count() + 1 + 3
