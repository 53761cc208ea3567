"""Resubmission (退回修改后重新提交): the approver sees on the case page what changed since the
last round (上一轮 | 本轮), the applicant's note on the changes (修改说明) and every round with
its waiting time in working hours — all read from the trail's snapshots, in a fixed number of
queries however many rounds and entries the case has."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals import registry, selectors, services
from approvals.models import Action, Case

from .conftest import pdf_upload

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    """The time the application reads (``django.utils.timezone.now``), moved by the test."""

    def __init__(self, start: dt.datetime):
        self.at = start

    def __call__(self) -> dt.datetime:
        return self.at

    def set(self, *args) -> None:
        self.at = dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def clock(monkeypatch):
    # Monday 2 March 2026, a working day; office hours 09:00-12:00 and 13:30-17:30 (7 hours)
    c = Clock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    monkeypatch.setattr(timezone, "now", c)
    return c


def _file(client, matter, *, title="购置办公桌椅", reason="办公需要", amount="5000.00"):
    r = client.post(reverse("approvals:create", args=[matter.pk]),
                    {"title": title, "reason": reason, "amount": amount, "action": "submit"})
    assert r.status_code == 302, r.content.decode()[:2000]
    return Case.objects.latest("id")


def _return(client, person, case, reason):
    case.refresh_from_db()
    client.force_login(person)
    r = client.post(reverse("approvals:decide", args=[case.pk]),
                    {"decision": "return", "comment": reason, "step_id": case.current_step_id, "round": case.round})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.RETURNED


def _resubmit(client, clerk, case, **data):
    client.force_login(clerk)
    payload = {"title": case.title, "reason": case.reason, "amount": f"{case.amount}", "action": "submit", **data}
    r = client.post(reverse("approvals:edit", args=[case.pk]), payload)
    return r


def _card(body: str) -> str:
    m = re.search(r'data-testid="resubmission-card">(.*?)<div class="row g-3 case-columns">', body, re.S)
    assert m, "no resubmission card on the page"
    return m.group(1)


def _rows(card: str, testid: str) -> list[str]:
    rows = re.findall(rf'<tr data-testid="{testid}">(.*?)</tr>', card, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


def test_approver_sees_old_and_new_amount_and_reason_the_note_and_two_rounds(client, office, spend, clock):
    client.force_login(office.clerk)
    case = _file(client, spend, reason="办公需要", amount="5000.00")  # Mon 09:00
    clock.set(2026, 3, 3, 10, 0)  # Tue 10:00: a working day and one hour later
    _return(client, office.head, case, "请按最低报价调整金额。")
    clock.set(2026, 3, 4, 9, 0)  # Wed 09:00
    r = _resubmit(client, office.clerk, case, reason="办公需要，按三家报价中最低一家", amount="4200.00",
                  comment="金额改为最低报价4200元，事由补充了报价情况。")
    assert r.status_code == 302 and r["Location"] == reverse("approvals:detail", args=[case.pk])
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS and case.round == 2

    clock.set(2026, 3, 4, 11, 30)  # the approver opens it two and a half hours later
    client.force_login(office.head)
    body = client.get(reverse("approvals:detail", args=[case.pk])).content.decode()
    card = _card(body)
    assert "本次重新提交的修改" in card and "第2轮与第1轮对照" in card
    changes = _rows(card, "change-row")
    assert changes == [
        "事由 办公需要 办公需要，按三家报价中最低一家",
        "金额 ¥5,000.00 ¥4,200.00",
    ]  # the unchanged title is not listed
    assert "修改说明" in card and "金额改为最低报价4200元，事由补充了报价情况。" in card
    assert "请按最低报价调整金额。" in card
    rounds = _rows(card, "round-row")
    assert len(rounds) == 2
    head = office.head.get_full_name()
    # round 1: Mon 09:00-17:30 (7 h) and Tue 09:00-10:00 (1 h) = one working day and one hour
    assert rounds[0].startswith("第1轮 2026-03-02 09:00 2026-03-03 10:00")
    assert f"退回修改：{head} — 请按最低报价调整金额。" in rounds[0]
    assert "1天1小时" in rounds[0] and "自然时间1天1小时" in rounds[0]
    # round 2: in approval since Wed 09:00, two and a half working hours so far
    assert rounds[1].startswith("第2轮 2026-03-04 09:00 —")
    assert "审批中" in rounds[1] and "2小时30分 （至今）" in rounds[1]

    # the applicant sees the same card; the trail keeps the note apart from the warnings
    client.force_login(office.clerk)
    assert "金额 ¥5,000.00 ¥4,200.00" in _rows(_card(client.get(reverse("approvals:detail", args=[case.pk])).content.decode()), "change-row")
    entry = Action.objects.get(case=case, kind=Action.Kind.RESUBMIT)
    assert entry.snapshot["note"] == "金额改为最低报价4200元，事由补充了报价情况。"
    assert entry.comment.startswith("金额改为最低报价4200元")


def test_the_selector_lists_changed_fields_with_readable_labels(office, make_case):
    case = make_case("5000.00", title="购置办公桌椅")
    services.case_return(case=case, actor=office.head, comment="标题不准确。")
    services.case_save(case=case, actor=office.clerk, title="购置会议室桌椅", reason="办公需要", amount="12345.6")
    services.case_resubmit(case=case, actor=office.clerk, comment="已改标题和金额。")
    case.refresh_from_db()
    assert selectors.resubmission_diff(case) == [
        selectors.Change("", "标题", "购置办公桌椅", "购置会议室桌椅"),
        selectors.Change("", "金额", "¥5,000.00", "¥12,345.60"),
    ]


def test_a_resubmission_with_no_change_says_nothing_changed(client, office, spend, clock):
    client.force_login(office.clerk)
    case = _file(client, spend)
    clock.set(2026, 3, 2, 10, 0)
    _return(client, office.head, case, "请补充说明。")
    clock.set(2026, 3, 2, 10, 30)
    assert _resubmit(client, office.clerk, case).status_code == 302
    client.force_login(office.head)
    card = _card(client.get(reverse("approvals:detail", args=[case.pk])).content.decode())
    assert _rows(card, "change-row") == []
    assert 'data-testid="resubmission-unchanged"' in card and "没有任何修改" in card
    assert "申请人未填写修改说明。" in card
    rounds = _rows(card, "round-row")
    assert len(rounds) == 2 and "1小时" in rounds[0]
    assert selectors.resubmission_diff(case) == []


def test_a_single_round_case_shows_no_card(client, office, spend):
    client.force_login(office.clerk)
    case = _file(client, spend)
    client.force_login(office.head)
    body = client.get(reverse("approvals:detail", args=[case.pk])).content.decode()
    assert 'data-testid="resubmission-card"' not in body and "本次重新提交的修改" not in body
    # returned but not yet resubmitted: still one round, no card
    _return(client, office.head, case, "请补充说明。")
    client.force_login(office.clerk)
    body = client.get(reverse("approvals:detail", args=[case.pk])).content.decode()
    assert 'data-testid="resubmission-card"' not in body


def test_attachments_added_on_resubmission_are_listed_by_name(client, office, spend):
    client.force_login(office.clerk)
    case = _file(client, spend)
    _return(client, office.head, case, "请补充报价单。")
    r = _resubmit(client, office.clerk, case, file_other=[pdf_upload("报价单一.pdf"), pdf_upload("报价单二.pdf", b"%PDF-1.4 other")],
                  comment="补充了两份报价单。")
    assert r.status_code == 302
    client.force_login(office.head)
    changes = _rows(_card(client.get(reverse("approvals:detail", args=[case.pk])).content.decode()), "change-row")
    assert changes == ["新增附件 — 其他材料：报价单一.pdf、其他材料：报价单二.pdf"]


def test_the_form_asks_for_the_note_and_a_too_long_note_is_refused_and_nothing_saved(client, office, make_case):
    case = make_case("5000.00")
    services.case_return(case=case, actor=office.head, comment="请调整金额。")
    client.force_login(office.clerk)
    page = client.get(reverse("approvals:edit", args=[case.pk])).content.decode()
    assert "修改说明" in page and 'name="comment"' in page
    r = _resubmit(client, office.clerk, case, amount="4000.00", comment="改" * 2001)
    assert r.status_code == 400
    assert "修改说明最多2000个字。" in r.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.RETURNED and case.round == 1 and str(case.amount) == "5000.00"
    assert not Action.objects.filter(case=case, kind__in=[Action.Kind.EDIT, Action.Kind.RESUBMIT]).exists()


def test_the_service_refuses_a_too_long_note_and_changes_nothing(office, make_case):
    from approvals.exceptions import ApprovalError

    case = make_case("5000.00")
    services.case_return(case=case, actor=office.head, comment="请调整金额。")
    with pytest.raises(ApprovalError) as exc:
        services.case_resubmit(case=case, actor=office.clerk, comment="改" * 2001)
    assert exc.value.code == "note_too_long" and "2000" in exc.value.message
    case.refresh_from_db()
    assert case.status == Case.Status.RETURNED and case.round == 1


def test_a_stand_in_who_returned_is_named_for_whom(office, make_case, clock):
    from approvals.models import Delegation

    Delegation.objects.create(principal=office.head, deputy=office.heads["dzb"], start=dt.date(2026, 3, 1),
                              end=dt.date(2026, 3, 31))
    case = make_case("5000.00")
    services.case_return(case=case, actor=office.heads["dzb"], comment="代为退回。")
    services.case_resubmit(case=case, actor=office.clerk)
    case.refresh_from_db()
    first = selectors.case_rounds(case)[0]
    assert first.returned and first.decided_by == f"{office.heads['dzb'].get_full_name()} 代 {office.head.get_full_name()}"


def test_rounds_end_with_the_outcome_and_a_later_stage_starts_its_own_count(office, make_case):
    case = make_case("5000.00")
    services.case_return(case=case, actor=office.head, comment="请调整。")
    services.case_resubmit(case=case, actor=office.clerk)
    services.case_reject(case=case, actor=office.head, comment="不同意。")
    case.refresh_from_db()
    rounds = selectors.case_rounds(case)
    assert [(r.number, r.submitted.kind, r.ended.kind, str(r.outcome)) for r in rounds] == [
        (1, "submit", "return", "退回修改"), (2, "resubmit", "reject", "不同意"),
    ]
    assert rounds[1].decided_by == office.head.get_full_name()


def test_working_time_reads_as_days_and_hours():
    assert selectors.working_time_zh(0) == "0分钟"
    assert selectors.working_time_zh(0.75) == "45分钟"
    assert selectors.working_time_zh(3.25) == "3小时15分"
    assert selectors.working_time_zh(7) == "1天"
    assert selectors.working_time_zh(2 * 7 + 3) == "2天3小时"


class _Spec(registry.CaseSection):
    """A stage whose content is the header's amount split in two (a section's own fields),
    described with labels of its own."""

    key = "test_spec"
    label = "规格"

    def snapshot(self, case):
        return {"qty": int(case.amount or 0) // 100, "colour": "红" if "红" in case.reason else "蓝", "status": case.status}

    def describe(self, snapshot):
        return [("数量", f"{snapshot['qty']}件"), ("颜色", snapshot["colour"])]


@pytest.fixture
def spec(spend):
    registry.register(_Spec())
    spend.stages = ["test_spec"]
    spend.save(update_fields=["stages"])
    yield spend
    registry._SECTIONS.pop("test_spec", None)


def test_section_changes_are_listed_under_the_section_with_its_labels(client, office, spec):
    client.force_login(office.clerk)
    case = _file(client, spec, reason="办公需要，蓝色", amount="5000.00")
    _return(client, office.head, case, "请改成红色。")
    assert _resubmit(client, office.clerk, case, reason="办公需要，红色").status_code == 302
    client.force_login(office.head)
    body = client.get(reverse("approvals:detail", args=[case.pk])).content.decode()
    card = _card(body)
    assert _rows(card, "change-row") == ["事由 办公需要，蓝色 办公需要，红色", "颜色 蓝 红"]  # the quantity is the same
    assert '<th colspan="3" class="small">规格</th>' in card


def test_case_page_queries_do_not_grow_with_rounds_or_entries(client, office, make_case, django_assert_max_num_queries):
    two = make_case("5000.00")
    services.case_return(case=two, actor=office.head, comment="请调整。")
    services.case_resubmit(case=two, actor=office.clerk, comment="已调整。")
    many = make_case("5000.00")
    for i in range(4):
        services.case_return(case=many, actor=office.head, comment=f"第{i + 1}次退回。")
        services.case_save(case=many, actor=office.clerk, title=many.title, reason=f"第{i + 1}次修改", amount=f"{5000 + i}")
        services.case_resubmit(case=many, actor=office.clerk, comment=f"第{i + 1}次修改说明。")
        for j in range(3):
            services.case_comment(case=many, actor=office.finance_reviewer, comment=f"意见{i}-{j}")
    client.force_login(office.supervisor)
    counts = []
    for case in (two, many):
        # the case page's own budget (tests/approvals/test_queries.py)
        with django_assert_max_num_queries(30) as ctx:
            r = client.get(reverse("approvals:detail", args=[case.pk]))
        assert r.status_code == 200 and 'data-testid="resubmission-card"' in r.content.decode()
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert len(_rows(_card(r.content.decode()), "round-row")) == 5
