"""System checks of the kernel.

- ``core.E001``: ``OFFICE_HOURS`` cannot be read (every start-up command).
- ``core.W001``: the working calendar does not know the current year, or from November on
  (when the State Council publishes the next year's schedule) the next year; days of such a
  year are counted Mon–Fri. It reads the ``core.Workday`` table, so it is a database check:
  it runs with ``migrate`` (every deployment: compose's ``migrate`` service) and with
  ``manage.py check --database default``.
- ``core.E002``: a model using ``core.transitions.StatusTransitions`` declares a ``TRANSITIONS``
  row for each status of its field and names no other (``transitions.transitions_check``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError
from django.utils import timezone

from . import transitions, workcalendar

NEXT_YEAR_FROM_MONTH = 11


def office_hours_check(app_configs=None, **kwargs) -> list:
    try:
        workcalendar.parse_office_hours(getattr(settings, "OFFICE_HOURS", workcalendar.DEFAULT_OFFICE_HOURS))
    except ValueError as exc:
        return [Error(str(exc), hint='Write it like "09:00-12:00,13:30-17:30".', id="core.E001")]
    return []


def coverage_messages(today: dt.date, calendar: workcalendar.WorkCalendar) -> list:
    years = [today.year] + ([today.year + 1] if today.month >= NEXT_YEAR_FROM_MONTH else [])
    return [
        Warning(
            f"The working calendar has no holiday schedule for {year}: days of {year} are counted Mon-Fri "
            "(no public holidays, no 调休 working weekends).",
            hint="Upgrade the chinesecalendar package once it has the year, or enter the year's holidays and "
                 "调休 working days from the State Council's notice in the admin (工作日历).",
            id="core.W001",
        )
        for year in years if not calendar.covers(year)
    ]


def calendar_coverage_check(app_configs=None, databases=None, **kwargs) -> list:
    if not databases:
        return []
    try:
        calendar = workcalendar.WorkCalendar.load()
    except DatabaseError:  # before the first migrate: nothing to check yet
        return []
    return coverage_messages(timezone.localdate(), calendar)


def register_checks() -> None:
    register(office_hours_check)
    register(transitions.transitions_check, Tags.models)
    register(calendar_coverage_check, Tags.database)
