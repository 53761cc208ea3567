"""Approval and governance risk rules (RISK_RULES.md, 审批与治理) over the engine's own data."""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Action, RouteStep
from .rules import Finding, Param, Rule, Severity


class StalledApproval(Rule):
    """GOV-02 审批滞留: a step waiting longer than the limit in working days (China's calendar)."""

    code = "GOV-02"
    title = gettext_lazy("Stalled approval")
    severity = Severity.LOW
    params = {"working_days": Param(3, gettext_lazy("working days a step may wait"))}
    hourly = True

    def scan(self, params, scope=None):
        from core import workcalendar  # TODO(merge kernel): module import

        limit = int(params["working_days"])
        today = timezone.localdate()
        steps = (RouteStep.objects.filter(status=RouteStep.Status.ACTIVE, activated_at__isnull=False)
                 .select_related("case", "case__unit"))
        for step in steps.iterator(chunk_size=2000):
            # working days passed since the day it began waiting (that day itself not counted)
            waited = workcalendar.workdays_between(timezone.localdate(step.activated_at) + dt.timedelta(days=1), today)
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
