"""Budget risk rules (RISK_RULES.md, 预算), run by the risk engine through approvals.rules."""

from __future__ import annotations


from decimal import ROUND_DOWN, Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.rules import Finding, Param, Rule, Severity, judged_on
from core.stages import Stage

from .models import BudgetAdjustment, BudgetLine, BudgetMovement, CaseBudget
from .selectors import figures_of, line_figures, time_progress, with_figures

_MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal("0.00")




class LineNearlyExhausted(Rule):
    """BUD-02 预算即将用完: reserved + committed + paid ≥ the share of the adjusted amount."""

    code = "BUD-02"
    title = gettext_lazy("Budget line nearly exhausted")
    severity = Severity.LOW
    params = {"share": Param(Decimal("90"), gettext_lazy("used share of the adjusted amount (%)"))}
    events = ("case.approved", "payment.paid")
    hourly = True

    def scan(self, params, scope=None):
        lines = BudgetLine.objects.filter(year=judged_on(scope).year)
        if scope and scope.get("case_id"):  # after an event: only the lines the case moved
            lines = lines.filter(pk__in=BudgetMovement.objects.filter(case_id=scope["case_id"]).values("line_id"))
        lines = with_figures(lines.select_related("unit"))
        for line in lines.iterator(chunk_size=2000):
            finding = self._judge(line, figures_of(line), Decimal(params["share"]))
            if finding:
                yield finding

    def check_draft(self, case, params):
        """The form being submitted would bring its line to the share (its reservation is
        counted: the budget section reserved it just before)."""
        link = CaseBudget.objects.filter(case=case).select_related("line__unit").first()
        if link is None:
            return []
        finding = self._judge(link.line, line_figures(link.line), Decimal(params["share"]))
        return [finding] if finding else []

    def _judge(self, line, fig, share):
        if fig.adjusted <= 0 or fig.used * 100 < share * fig.adjusted:  # exact: 89.9999% is not 90%
            return None
        used = (fig.used * 100 / fig.adjusted).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        return Finding(
            records=(("budget.budgetline", line.pk),),
            message=_("%(line)s: %(used)s%% of the budget used (threshold %(share)s%%)") % {
                "line": f"{line.unit.name} {line.project}", "used": used, "share": share},
            figures={"adjusted": str(fig.adjusted), "used": str(fig.used), "used_share": str(used),
                     "threshold": str(share)},
            unit_id=line.unit_id,
        )


class ExecutionBehindTime(Rule):
    """BUD-03 执行进度滞后: after March, a line's execution rate (paid / adjusted) trails the
    share of the year elapsed by more than the lag."""

    code = "BUD-03"
    title = gettext_lazy("Execution behind time progress")
    severity = Severity.MEDIUM
    params = {
        "lag": Param(Decimal("20"), gettext_lazy("points the execution rate may trail the time progress")),
        "from_month": Param(4, gettext_lazy("first month the rule judges")),
    }

    def scan(self, params, scope=None):
        on = judged_on(scope)
        if on.month < int(params["from_month"]):
            return
        lag, progress = Decimal(params["lag"]), time_progress(on.year, on)
        lines = with_figures(BudgetLine.objects.filter(year=on.year).select_related("unit"))
        for line in lines.iterator(chunk_size=2000):
            fig = figures_of(line)
            rate = fig.execution_rate
            if rate is None or rate >= progress - lag:
                continue
            yield Finding(
                records=(("budget.budgetline", line.pk),),
                message=_("%(line)s: %(rate)s%% executed while %(progress)s%% of the year has passed") % {
                    "line": f"{line.unit.name} {line.project}", "rate": rate, "progress": progress},
                figures={"execution_rate": str(rate), "time_progress": str(progress), "lag": str(lag)},
                unit_id=line.unit_id,
            )


class YearEndRush(Rule):
    """BUD-04 年底突击花钱: paid in December is more than the share of the line's year total."""

    code = "BUD-04"
    title = gettext_lazy("Year-end rush")
    severity = Severity.MEDIUM
    params = {"share": Param(Decimal("30"), gettext_lazy("December's share of the year's payments (%)"))}

    def scan(self, params, scope=None):
        share, year = Decimal(params["share"]), judged_on(scope).year
        money = lambda q=None: Coalesce(Sum("amount", filter=q), Value(ZERO), output_field=_MONEY)  # noqa: E731
        rows = (BudgetMovement.objects.filter(kind=BudgetMovement.Kind.EXECUTE, line__year=year)
                .values("line_id", "line__unit_id", "line__unit__name", "line__project")
                .annotate(total=money(), december=money(Q(occurred_on__month=12)))
                .filter(total__gt=0))
        for r in rows:
            if r["december"] * 100 <= share * r["total"]:
                continue
            got = (r["december"] * 100 / r["total"]).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
            yield Finding(
                records=(("budget.budgetline", r["line_id"]),),
                message=_("%(line)s: %(share)s%% of the year's payments made in December") % {
                    "line": f"{r['line__unit__name']} {r['line__project']}", "share": got},
                figures={"december": str(r["december"]), "year": str(r["total"]), "share": str(got),
                         "threshold": str(share)},
                unit_id=r["line__unit_id"],
            )


class FrequentAdjustments(Rule):
    """BUD-05 频繁调剂: a line adjusted (increased, decreased, or transferred from or to) at
    least the given number of times in a year."""

    code = "BUD-05"
    title = gettext_lazy("Frequent adjustments")
    severity = Severity.LOW
    params = {"count": Param(3, gettext_lazy("adjustments of one line in a year"))}

    def scan(self, params, scope=None):
        limit, year = int(params["count"]), judged_on(scope).year
        lines = (BudgetLine.objects.filter(year=year)
                 .annotate(n_out=Count("adjustments", filter=Q(adjustments__state=BudgetAdjustment.State.APPLIED), distinct=True),
                           n_in=Count("adjustments_in", filter=Q(adjustments_in__state=BudgetAdjustment.State.APPLIED), distinct=True))
                 .select_related("unit"))
        for line in lines:
            n = line.n_out + line.n_in
            if n >= limit:
                yield Finding(
                    records=(("budget.budgetline", line.pk),),
                    message=_("%(line)s was adjusted %(n)s times this year") % {
                        "line": f"{line.unit.name} {line.project}", "n": n},
                    figures={"adjustments": n, "threshold": limit},
                    unit_id=line.unit_id,
                )


class SpendingWithoutBudget(Rule):
    """BUD-01 无预算不支出: a money form submitted or approved with no budget line, or a line
    whose reservations, commitments and payments exceed its adjusted amount (预算法 第十三条:
    各级政府、各部门、各单位的支出必须以经批准的预算为依据，未列入预算的不得支出). A soft-control line
    lets a form through with a warning; the scan keeps reporting the overrun."""

    code = "BUD-01"
    title = gettext_lazy("Spending without a budget")
    severity = Severity.HIGH
    events = ("case.approved", "payment.paid")
    hourly = True

    @staticmethod
    def _no_line(case_id, number, unit_id):
        return Finding(records=(("approvals.case", case_id),), unit_id=unit_id, part="no_line",
                       message=_("%(number)s spends money without a budget line") % {"number": number})

    @staticmethod
    def _over(line, fig):
        return Finding(records=(("budget.budgetline", line.pk),), unit_id=line.unit_id, part="over",
                       message=_("%(line)s: %(used)s used against %(adjusted)s available in all") % {
                           "line": f"{line.unit.name} {line.project}", "used": fig.used, "adjusted": fig.adjusted},
                       figures={"adjusted": str(fig.adjusted), "used": str(fig.used), "over": str(fig.used - fig.adjusted)})

    def scan(self, params, scope=None):
        from approvals.models import Case

        # submitted at least once and still alive (a case between stages is a draft again)
        cases = (Case.objects.filter(stages__contains=[Stage.BUDGET], amount__isnull=False, submitted_at__isnull=False)
                 .exclude(status__in=(Case.Status.REJECTED, Case.Status.WITHDRAWN))
                 .exclude(pk__in=CaseBudget.objects.values("case_id"))
                 # nor a commitment or payment on a line (a contract form committing on the contract's line)
                 .exclude(pk__in=BudgetMovement.objects.filter(
                     case_id__isnull=False, kind__in=(BudgetMovement.Kind.COMMIT, BudgetMovement.Kind.EXECUTE))
                     .values("case_id")))
        if scope and scope.get("case_id"):
            cases = cases.filter(pk=scope["case_id"])
        for case_id, number, unit_id in cases.values_list("id", "number", "unit_id"):
            yield self._no_line(case_id, number, unit_id)
        lines = BudgetLine.objects.filter(year=judged_on(scope).year)
        if scope and scope.get("case_id"):  # after an event: only the lines the case moved
            lines = lines.filter(pk__in=BudgetMovement.objects.filter(case_id=scope["case_id"]).values("line_id"))
        for line in with_figures(lines.select_related("unit")).iterator(chunk_size=2000):
            fig = figures_of(line)
            if fig.used > fig.adjusted:
                yield self._over(line, fig)

    def check_draft(self, case, params):
        """The form being submitted has no line although its matter is budgeted, or (its
        reservation counted) takes its line over the adjusted amount."""
        if Stage.BUDGET not in (case.stages or []) or case.amount is None:
            return []
        link = CaseBudget.objects.filter(case=case).select_related("line__unit").first()
        if link is None:
            return [self._no_line(case.pk, case.number, case.unit_id)]
        fig = line_figures(link.line)
        return [self._over(link.line, fig)] if fig.used > fig.adjusted else []
