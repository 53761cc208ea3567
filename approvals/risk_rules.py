"""Approval and governance risk rules (RISK_RULES.md, 审批与治理) over the engine's own data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import workcalendar

from .models import Action, RouteStep
from .rules import Finding, Param, Rule, Severity, judged_on


class StalledApproval(Rule):
    """GOV-02 审批滞留: a step waiting longer than the limit in working days (China's calendar)."""

    code = "GOV-02"
    title = gettext_lazy("Stalled approval")
    severity = Severity.LOW
    params = {"working_days": Param(3, gettext_lazy("working days a step may wait"))}
    hourly = True

    def scan(self, params, scope=None):
        limit = int(params["working_days"])
        today = judged_on(scope)
        steps = (RouteStep.objects.filter(status=RouteStep.Status.ACTIVE, activated_at__isnull=False)
                 .select_related("case", "case__unit"))
        calendar = workcalendar.WorkCalendar.load()  # one query for the administrator's table, not one per step
        waited_since: dict[dt.date, int] = {}  # steps that began waiting on the same day waited as long
        for step in steps.iterator(chunk_size=2000):
            # working days passed since the day it began waiting (that day itself not counted)
            began = timezone.localdate(step.activated_at)
            if began not in waited_since:
                waited_since[began] = calendar.workdays_between(began + dt.timedelta(days=1), today)
            waited = waited_since[began]
            if waited > limit:
                yield Finding(
                    records=(("approvals.case", step.case_id), ("approvals.routestep", step.pk)),
                    message=_("%(number)s has waited %(days)s working days at one step (limit %(limit)s)") % {
                        "number": step.case.number, "days": waited, "limit": limit},
                    figures={"working_days": waited, "limit": limit},
                    unit_id=step.case.unit_id,
                )


class ApplicantApproved(Rule):
    """GOV-03 不相容岗位 (applied and approved): the engine refuses it; the scan still reports
    any record that breaks it (data written around the engine)."""

    code = "GOV-03"
    title = gettext_lazy("Incompatible duties")
    severity = Severity.HIGH

    def scan(self, params, scope=None):
        rows = (Action.objects.filter(kind=Action.Kind.APPROVE, actor_id=F("case__applicant_id"))
                .values_list("case_id", "case__number", "case__unit_id").distinct())
        for case_id, number, unit_id in rows:
            yield Finding(records=(("approvals.case", case_id),),
                          message=_("%(number)s was approved by its own applicant") % {"number": number},
                          unit_id=unit_id)


class OffHoursApprovals(Rule):
    """GOV-04 非工作时间审批: more than the given number of approvals by one person between
    23:00 and 06:00 (local time) within one week (Monday to Sunday)."""

    code = "GOV-04"
    title = gettext_lazy("Off-hours approvals in bulk")
    severity = Severity.LOW
    params = {"count": Param(20, gettext_lazy("approvals at night in one week")),
              "from_hour": Param(23, gettext_lazy("night begins at (hour)")),
              "to_hour": Param(6, gettext_lazy("night ends at (hour)"))}

    def scan(self, params, scope=None):
        from django.db.models import Count
        from django.db.models.functions import ExtractHour, TruncWeek

        limit, start, end = int(params["count"]), int(params["from_hour"]), int(params["to_hour"])
        hour = ExtractHour("created_at", tzinfo=timezone.get_current_timezone())
        night = Q(h__gte=start) | Q(h__lt=end) if start > end else Q(h__gte=start, h__lt=end)
        rows = (Action.objects.filter(kind=Action.Kind.APPROVE, actor__isnull=False).annotate(h=hour).filter(night)
                .annotate(week=TruncWeek("created_at", tzinfo=timezone.get_current_timezone()))
                .values("actor_id", "actor__full_name", "actor__unit_id", "week").annotate(n=Count("id"))
                .filter(n__gt=limit).order_by("week", "actor_id"))
        for r in rows:
            week = timezone.localdate(r["week"]) if timezone.is_aware(r["week"]) else r["week"].date()
            yield Finding(
                records=(("org.user", r["actor_id"]),),
                message=_("%(person)s approved %(n)s forms at night in the week of %(week)s") % {
                    "person": r["actor__full_name"], "n": r["n"], "week": week.isoformat()},
                figures={"approvals": r["n"], "threshold": limit, "week": week.isoformat()},
                unit_id=r["actor__unit_id"],
                part=week.isoformat(),
            )


class NoCollectiveDecision(Rule):
    """GOV-01 三重一大未集体决策: a money case at or above the collective-decision amount approved
    without a recorded meeting decision (a collective step with its meeting date)."""

    code = "GOV-01"
    title = gettext_lazy("Major matter without a collective decision")
    severity = Severity.HIGH
    params = {"amount": Param(Decimal("300000"), gettext_lazy("collective-decision amount (yuan)"),
                              regulation="《街道“三重一大”决策制度实施办法》")}
    events = ("case.approved",)
    hourly = True

    def scan(self, params, scope=None):
        from django.db.models import Exists, OuterRef

        from .models import Case, StepKind

        limit = Decimal(params["amount"])
        decided = RouteStep.objects.filter(case=OuterRef("pk"), kind=StepKind.COLLECTIVE, status=RouteStep.Status.APPROVED,
                                           meeting_date__isnull=False)
        cases = Case.objects.filter(status=Case.Status.APPROVED, matter__spends_money=True, amount__gte=limit)
        if scope and scope.get("case_id"):  # one case: its steps by index, not an anti-join over every step
            met = RouteStep.objects.filter(case_id=scope["case_id"], kind=StepKind.COLLECTIVE,
                                           status=RouteStep.Status.APPROVED, meeting_date__isnull=False).exists()
            cases = cases.filter(pk=scope["case_id"]) if not met else cases.none()
        else:
            cases = cases.exclude(Exists(decided))
        for case_id, number, amount, unit_id in cases.values_list("id", "number", "amount", "unit_id"):
            yield Finding(records=(("approvals.case", case_id),), unit_id=unit_id,
                          message=_("%(number)s (%(amount)s) was approved without a collective decision (from %(limit)s)") % {
                              "number": number, "amount": f"¥{amount:,.2f}", "limit": f"¥{limit:,.2f}"},
                          figures={"amount": str(amount), "threshold": str(limit)})
