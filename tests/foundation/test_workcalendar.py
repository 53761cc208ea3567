"""The Chinese working calendar (core.workcalendar): the State Council's holiday schedule with
调休 working weekends from the chinesecalendar package, corrected or extended by the
administrator's table, Mon–Fri with a warning for a year neither knows."""

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.core.checks import run_checks
from django.urls import reverse
from django.utils import timezone

from core import workcalendar
from core.checks import calendar_coverage_check, coverage_messages, office_hours_check
from core.models import Workday
from core.workcalendar import WorkCalendar

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
D = dt.date


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(n) for n in range((end - start).days + 1)]


NATIONAL_DAY_2025 = days(D(2025, 10, 1), D(2025, 10, 8))  # 国办发明电〔2024〕12号
SPRING_FESTIVAL_2026 = days(D(2026, 2, 15), D(2026, 2, 23))  # 国办发明电〔2025〕7号


def test_published_schedules_are_known_with_their_adjusted_weekends():
    # the facts, as the package itself has them
    assert not any(chinese_calendar.is_workday(d) for d in NATIONAL_DAY_2025 + SPRING_FESTIVAL_2026)
    assert all(chinese_calendar.is_workday(d) for d in (D(2025, 9, 28), D(2025, 10, 11), D(2026, 2, 14), D(2026, 2, 28)))
    for day in NATIONAL_DAY_2025 + SPRING_FESTIVAL_2026:
        assert workcalendar.is_workday(day) is False, day
    assert D(2025, 9, 28).weekday() == 6 and workcalendar.is_workday(D(2025, 9, 28))  # Sunday, 调休上班
    assert D(2025, 10, 11).weekday() == 5 and workcalendar.is_workday(D(2025, 10, 11))  # Saturday, 调休上班
    assert workcalendar.is_workday(D(2026, 2, 14)) and workcalendar.is_workday(D(2026, 2, 28))
    assert workcalendar.is_workday(D(2025, 10, 9)) and not workcalendar.is_workday(D(2025, 10, 12))


def test_day_arithmetic_steps_over_the_holiday_week():
    assert workcalendar.next_workday(D(2025, 9, 30)) == D(2025, 10, 9)
    assert workcalendar.next_workday(D(2025, 10, 10)) == D(2025, 10, 11)  # the 调休 Saturday
    assert workcalendar.add_workdays(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert workcalendar.add_workdays(D(2025, 9, 30), 3) == D(2025, 10, 11)
    assert workcalendar.add_workdays(D(2025, 10, 9), -1) == D(2025, 9, 30)
    assert workcalendar.add_workdays(D(2025, 10, 4), 0) == D(2025, 10, 4)
    assert workcalendar.add_workdays(D(2026, 2, 13), 1) == D(2026, 2, 14)  # Saturday before the Spring Festival
    assert workcalendar.add_workdays(D(2026, 2, 14), 1) == D(2026, 2, 24)
    # Mon 29 Sep – Sun 12 Oct: 29, 30 Sep, 9, 10 and (Saturday) 11 Oct
    assert workcalendar.workdays_between(D(2025, 9, 29), D(2025, 10, 12)) == 5
    assert workcalendar.workdays_between(D(2025, 10, 1), D(2025, 10, 8)) == 0
    assert workcalendar.workdays_between(D(2025, 10, 9), D(2025, 10, 1)) == 0


def test_working_hours_count_office_hours_of_working_days_only(settings):
    at = lambda *a: dt.datetime(*a, tzinfo=TZ)  # noqa: E731
    assert settings.OFFICE_HOURS == "09:00-12:00,13:30-17:30"
    assert workcalendar.working_hours_between(at(2025, 9, 30, 11), at(2025, 9, 30, 14)) == 1.5  # lunch is not counted
    assert workcalendar.working_hours_between(at(2025, 9, 30, 9), at(2025, 10, 9, 12)) == 7 + 3  # nothing in the holiday
    assert workcalendar.working_hours_between(at(2025, 10, 1, 9), at(2025, 10, 8, 18)) == 0
    assert workcalendar.working_hours_between(at(2025, 10, 9, 12), at(2025, 10, 9, 9)) == 0
    # the instants may come in UTC: 01:00 UTC is 09:00 in Shanghai
    utc = dt.timezone.utc
    assert workcalendar.working_hours_between(dt.datetime(2025, 10, 9, 1, tzinfo=utc), dt.datetime(2025, 10, 9, 4, tzinfo=utc)) == 3
    settings.OFFICE_HOURS = "08:30-12:00,14:00-17:30"
    assert workcalendar.working_hours_between(at(2025, 10, 9, 0), at(2025, 10, 10, 0)) == 7


def test_a_malformed_office_hours_setting_is_refused_at_start_up(settings):
    assert office_hours_check() == []
    for bad in ("9-5", "09:00-12:00,11:00-17:00", "17:00-09:00", ""):
        settings.OFFICE_HOURS = bad
        errors = office_hours_check()
        assert [e.id for e in errors] == ["core.E001"], bad
        assert "OFFICE_HOURS" in errors[0].msg


def test_the_administrators_table_wins_over_the_package(django_assert_num_queries):
    Workday.objects.create(date=D(2025, 10, 8), is_workday=True, name="调休上班", regulation="国办发明电〔2024〕12号")
    Workday.objects.create(date=D(2025, 10, 13), is_workday=False, name="防汛停工", regulation="街道通知")
    assert workcalendar.is_workday(D(2025, 10, 8)) is True
    assert workcalendar.is_workday(D(2025, 10, 13)) is False
    assert workcalendar.is_workday(D(2025, 10, 7)) is False  # the package still answers the other days
    assert workcalendar.next_workday(D(2025, 10, 3)) == D(2025, 10, 8)
    # one query per call, however many days it walks
    package_count = len(chinese_calendar.get_workdays(D(2025, 1, 1), D(2025, 12, 31)))
    with django_assert_num_queries(1):
        assert workcalendar.workdays_between(D(2025, 1, 1), D(2025, 12, 31)) == package_count + 1 - 1
    calendar = WorkCalendar.load()
    with django_assert_num_queries(0):
        for n in range(50):
            calendar.add_workdays(D(2025, 9, 1), n)


def test_a_year_neither_source_knows_falls_back_to_weekdays_and_warns_once(caplog):
    year = max(workcalendar.package_years()) + 5
    monday = D(year, 1, 1) + dt.timedelta(days=-D(year, 1, 1).weekday() + 7)
    calendar = WorkCalendar.load()
    with caplog.at_level(logging.WARNING, logger="neiqiao.workcalendar"):
        assert calendar.is_workday(monday) and not calendar.is_workday(monday + dt.timedelta(days=5))
        assert calendar.workdays_between(monday, monday + dt.timedelta(days=13)) == 10
    warnings = [r for r in caplog.records if r.name == "neiqiao.workcalendar"]
    assert len(warnings) == 1 and str(year) in warnings[0].getMessage()
    assert not calendar.covers(year)
    assert [m.id for m in coverage_messages(D(year, 3, 1), calendar)] == ["core.W001"]
    assert str(year) in coverage_messages(D(year, 3, 1), calendar)[0].msg


def test_the_table_covers_a_year_the_package_does_not_know_yet(caplog):
    year = max(workcalendar.package_years()) + 5
    new_year = D(year, 1, 1)
    Workday.objects.create(date=new_year, is_workday=new_year.weekday() >= 5, name="元旦", regulation="国办发明电")
    calendar = WorkCalendar.load()
    with caplog.at_level(logging.WARNING, logger="neiqiao.workcalendar"):
        assert calendar.is_workday(new_year) is (new_year.weekday() >= 5)  # the row
        assert calendar.is_workday(D(year, 3, 2)) is (D(year, 3, 2).weekday() < 5)  # the rest: Mon–Fri
    assert not [r for r in caplog.records if r.name == "neiqiao.workcalendar"]
    assert calendar.covers(year) and coverage_messages(D(year, 3, 1), calendar) == []


def test_the_start_up_check_warns_for_the_current_and_from_november_the_next_year():
    year = max(workcalendar.package_years()) + 5
    Workday.objects.create(date=D(year, 1, 1), is_workday=False, name="元旦")
    calendar = WorkCalendar.load()
    assert coverage_messages(D(year, 10, 31), calendar) == []
    late = coverage_messages(D(year, 11, 1), calendar)
    assert [m.id for m in late] == ["core.W001"] and str(year + 1) in late[0].msg
    # the check itself is a database check: it reads the table with migrate and `check --database`
    assert calendar_coverage_check(databases=None) == []
    expected = coverage_messages(timezone.localdate(), WorkCalendar.load())
    assert calendar_coverage_check(databases=["default"]) == expected
    assert [m for m in run_checks(databases=["default"]) if m.id == "core.W001"] == expected
    assert [m for m in run_checks() if m.id == "core.W001"] == []


def test_the_administrator_enters_a_day_in_the_admin(client, office):
    client.force_login(office.admin)
    response = client.post(reverse("admin:core_workday_add"), {
        "date": "2025-10-13", "is_workday": "", "name": "防汛停工", "regulation": "街道〔2025〕1号",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    row = Workday.objects.get(date=D(2025, 10, 13))
    assert row.created_by == office.admin and row.history.count() == 1
    assert workcalendar.is_workday(D(2025, 10, 13)) is False
    # a day entered twice is refused with the reason, nothing saved
    response = client.post(reverse("admin:core_workday_add"), {"date": "2025-10-13", "is_workday": "on", "name": "调休上班"})
    assert response.status_code == 200 and "已存在" in response.content.decode()
    assert Workday.objects.count() == 1
    assert "防汛停工" in client.get(reverse("admin:core_workday_changelist")).content.decode()
