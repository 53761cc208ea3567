"""Payment deadlines of SMEs (保障中小企业款项支付条例，2025年修订，国务院令第802号，第九条、第十条):
30 calendar days from delivery or acceptance, at most 60 if the contract agrees; the rule in
force on the start day applies; a rule naming working days counts China's working calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from core import workcalendar
from payments import deadlines
from payments.models import PaymentDeadline
from payments.registry import DueFrom

pytestmark = pytest.mark.django_db


def test_the_migration_seeds_the_2020_and_2025_texts():
    rows = {r.effective_from: r for r in PaymentDeadline.objects.all()}
    assert rows[dt.date(2025, 6, 1)].regulation.endswith("第九条第一款、第十条") and "第802号" in rows[dt.date(2025, 6, 1)].regulation
    assert rows[dt.date(2020, 9, 1)].effective_to == dt.date(2025, 5, 31) and "第728号" in rows[dt.date(2020, 9, 1)].regulation
    assert all((r.days, r.max_agreed_days, r.day_kind) == (30, 60, "calendar") for r in rows.values())


def test_thirty_calendar_days_even_across_the_national_day_holiday():
    due = deadlines.due(DueFrom(day=dt.date(2026, 9, 20), why="验收合格"))
    assert due.date == dt.date(2026, 10, 20) and due.days == 30 and "第802号" in due.regulation
    assert due.days_left(dt.date(2026, 10, 20)) == 0 and not due.overdue(dt.date(2026, 10, 20))
    assert due.days_left(dt.date(2026, 10, 21)) == -1 and due.overdue(dt.date(2026, 10, 21))


def test_an_agreed_term_is_capped_at_sixty_days():
    assert deadlines.due(DueFrom(day=dt.date(2026, 3, 1), why="交付", agreed_days=45)).date == dt.date(2026, 4, 15)
    assert deadlines.due(DueFrom(day=dt.date(2026, 3, 1), why="交付", agreed_days=90)).days == 60


def test_the_rule_in_force_on_the_start_day_applies_and_working_days_use_the_calendar():
    PaymentDeadline.objects.create(days=10, max_agreed_days=20, day_kind=PaymentDeadline.DayKind.WORKING,
                                   regulation="街道办事处内部规定（测试）", effective_from=dt.date(2030, 1, 1))
    start = dt.date(2030, 3, 1)
    due = deadlines.due(DueFrom(day=start, why="验收合格"))
    assert due.date == workcalendar.add_workdays(start, 10) and due.day_kind == "working"
    assert due.days_left(start) == workcalendar.workdays_between(start, due.date)
    # a start before the new rule keeps the 2025 text
    assert deadlines.due(DueFrom(day=dt.date(2029, 12, 31), why="验收合格")).date == dt.date(2030, 1, 30)


def test_without_any_row_the_2025_text_applies():
    PaymentDeadline.objects.all().delete()
    due = deadlines.due(DueFrom(day=dt.date(2026, 1, 1), why="交付"))
    assert due.date == dt.date(2026, 1, 31) and "第802号" in due.regulation
