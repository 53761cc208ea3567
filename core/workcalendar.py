"""The office's working calendar: which days are working days and how many working hours
lie between two instants, from the State Council's holiday schedule.

Sources, first match wins for a day:

1. ``core.Workday`` rows the administrator keeps in the admin (a correction, or a year the
   package does not know yet: the rows of such a year are its holidays and 调休 working
   weekends, every other day is Mon–Fri);
2. the ``chinesecalendar`` package (the published schedules with 调休, updated yearly);
3. Mon–Fri, with a logged warning, for a year neither covers (``core.checks`` warns at
   start-up when the current or next year is such a year).

A ``WorkCalendar`` reads the table once (one query) and answers any number of questions;
the module-level functions load a fresh one per call. A loop over many rows (the urging scan)
loads one calendar and passes it along::

    cal = WorkCalendar.load()
    for step in steps:
        cal.working_hours_between(step.since, now)

Office hours come from the ``OFFICE_HOURS`` setting, e.g. ``"09:00-12:00,13:30-17:30"``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping

import chinese_calendar
from django.conf import settings
from django.utils import timezone

log = logging.getLogger("neiqiao.workcalendar")

DEFAULT_OFFICE_HOURS = "09:00-12:00,13:30-17:30"


def package_years() -> range:
    """Years the installed ``chinesecalendar`` has a schedule for."""
    years = sorted({d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays})
    return range(years[0], years[-1] + 1)


_PACKAGE_YEARS = package_years()


def parse_office_hours(text: str) -> list[tuple[dt.time, dt.time]]:
    """``"09:00-12:00,13:30-17:30"`` → [(09:00, 12:00), (13:30, 17:30)]; ValueError when malformed,
    overlapping or out of order."""
    spans: list[tuple[dt.time, dt.time]] = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            a, b = (dt.time.fromisoformat(x.strip()) for x in part.split("-"))
        except ValueError as exc:
            raise ValueError(f"OFFICE_HOURS: {part!r} is not HH:MM-HH:MM") from exc
        if b <= a or (spans and a < spans[-1][1]):
            raise ValueError(f"OFFICE_HOURS: {part!r} ends before it starts or overlaps the span before it")
        spans.append((a, b))
    if not spans:
        raise ValueError("OFFICE_HOURS names no span of office hours")
    return spans


def office_hours() -> list[tuple[dt.time, dt.time]]:
    return parse_office_hours(getattr(settings, "OFFICE_HOURS", DEFAULT_OFFICE_HOURS))


def workday_hours() -> float:
    """The length of one working day in office hours (7.0 for ``"09:00-12:00,13:30-17:30"``)."""
    return sum(
        (dt.datetime.combine(dt.date.min, b) - dt.datetime.combine(dt.date.min, a)).total_seconds() / 3600
        for a, b in office_hours()
    )


class WorkCalendar:
    """A snapshot of the override table joined with the package's schedule."""

    def __init__(self, overrides: Mapping[dt.date, bool] | None = None):
        self.overrides = dict(overrides or {})
        self.table_years = {d.year for d in self.overrides}
        self._warned: set[int] = set()

    @classmethod
    def load(cls) -> WorkCalendar:
        """Read the whole override table in one query (a few dozen rows a year)."""
        from .models import Workday

        return cls(dict(Workday.objects.values_list("date", "is_workday")))

    # --- days --------------------------------------------------------------------------
    def covers(self, year: int) -> bool:
        """True when the package or the table has the schedule of ``year``."""
        return year in _PACKAGE_YEARS or year in self.table_years

    def is_workday(self, day: dt.date) -> bool:
        if isinstance(day, dt.datetime):
            day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
        if day in self.overrides:
            return self.overrides[day]
        if day.year in _PACKAGE_YEARS:
            return chinese_calendar.is_workday(day)
        if day.year not in self.table_years and day.year not in self._warned:
            self._warned.add(day.year)
            log.warning(
                "No holiday schedule for %s: neither chinesecalendar nor the working-day table covers it; "
                "counting Mon-Fri. Enter the year's schedule in the admin (工作日历).", day.year,
            )
        return day.weekday() < 5

    def next_workday(self, day: dt.date) -> dt.date:
        """The first working day after ``day`` (``day`` itself is not counted)."""
        day += dt.timedelta(days=1)
        while not self.is_workday(day):
            day += dt.timedelta(days=1)
        return day

    def add_workdays(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day`` (before it for a negative ``n``); ``day`` for 0."""
        step = dt.timedelta(days=1 if n >= 0 else -1)
        left = abs(n)
        while left:
            day += step
            if self.is_workday(day):
                left -= 1
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days from ``start`` to ``end``, both included; 0 when ``end`` is before ``start``."""
        count, day = 0, start
        while day <= end:
            count += self.is_workday(day)
            day += dt.timedelta(days=1)
        return count

    # --- hours -------------------------------------------------------------------------
    def working_hours_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Office hours (``OFFICE_HOURS``, local time) on working days between two instants."""
        if end <= start:
            return 0.0
        tz = timezone.get_current_timezone()
        start, end = start.astimezone(tz), end.astimezone(tz)
        spans = office_hours()
        total = 0.0
        day = start.date()
        while day <= end.date():
            if self.is_workday(day):
                for a, b in spans:
                    s = max(dt.datetime.combine(day, a, tzinfo=tz), start)
                    e = min(dt.datetime.combine(day, b, tzinfo=tz), end)
                    if e > s:
                        total += (e - s).total_seconds() / 3600
            day += dt.timedelta(days=1)
        return total


def is_workday(day: dt.date) -> bool:
    return WorkCalendar.load().is_workday(day)


def next_workday(day: dt.date) -> dt.date:
    return WorkCalendar.load().next_workday(day)


def add_workdays(day: dt.date, n: int) -> dt.date:
    return WorkCalendar.load().add_workdays(day, n)


def workdays_between(start: dt.date, end: dt.date) -> int:
    return WorkCalendar.load().workdays_between(start, end)


def working_hours_between(start: dt.datetime, end: dt.datetime) -> float:
    return WorkCalendar.load().working_hours_between(start, end)
