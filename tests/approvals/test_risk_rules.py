"""Approval and governance risk rules GOV-03 and GOV-04 on both sides of the line (GOV-02,
stalled approvals in working days, is tested with the working calendar)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from approvals import rules
from approvals.models import Action
from tests.dba import going_around_triggers

pytestmark = pytest.mark.django_db


def _scan(code, **params):
    rule = rules.get_rule(code)
    return list(rule.scan({**rule.defaults(), **params}))


def _approvals_at(make_case, approver, when, n):
    """n approvals by ``approver`` at local time ``when`` (the trail rows are moved in time the
    way only a database administrator could; the engine stamps them with now())."""
    ids = []
    for _ in range(n):
        case = make_case("500")
        from approvals import services

        services.case_approve(case=case, actor=approver)
        ids.append(Action.objects.filter(case=case, kind="approve", actor=approver).values_list("pk", flat=True).get())
    with going_around_triggers():
        Action.objects.filter(pk__in=ids).update(created_at=when)


def test_night_approvals_up_to_the_limit_raise_nothing_and_one_more_is_found(office, make_case):
    tz = timezone.get_current_timezone()
    monday_night = dt.datetime(2026, 11, 23, 23, 30, tzinfo=tz)  # a Monday, 23:30
    _approvals_at(make_case, office.head, monday_night, 3)
    assert _scan("GOV-04", count=3) == []
    _approvals_at(make_case, office.head, monday_night + dt.timedelta(days=2, hours=5), 1)  # Thursday 04:30
    (finding,) = _scan("GOV-04", count=3)
    assert finding.records == (("org.user", office.head.pk),) and finding.figures["approvals"] == 4
    assert finding.part == "2026-11-23"
    # daytime approvals never count
    _approvals_at(make_case, office.head, dt.datetime(2026, 11, 24, 10, 0, tzinfo=tz), 5)
    assert [f.figures["approvals"] for f in _scan("GOV-04", count=3)] == [4]


def test_a_step_waiting_three_working_days_raises_nothing_the_fourth_is_found(office, make_case):
    """GOV-02 counts China's working days: from Thursday 2025-09-25 the days waited are the 26th
    (Fri), the 28th (a Sunday worked for the National Day holiday), the 29th and the 30th; the
    National Day week (10-01..10-08) counts nothing."""
    from approvals.models import RouteStep

    case = make_case("500")
    step = RouteStep.objects.get(pk=case.current_step_id)
    tz = timezone.get_current_timezone()
    RouteStep.objects.filter(pk=step.pk).update(activated_at=dt.datetime(2025, 9, 25, 10, 0, tzinfo=tz))
    rule = rules.get_rule("GOV-02")
    on = lambda d: list(rule.scan(rule.defaults(), {"on": d}))  # noqa: E731
    assert on(dt.date(2025, 9, 29)) == []  # 3 working days waited (26, 28, 29)
    (finding,) = on(dt.date(2025, 9, 30))
    assert finding.figures["working_days"] == 4
    assert [f.figures["working_days"] for f in on(dt.date(2025, 10, 8))] == [4]  # the holiday week adds nothing
