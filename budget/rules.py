"""Budget risk rules (RISK_RULES.md, 预算), run by the risk engine through approvals.rules."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.rules import Finding, Param, Rule, Severity

from .models import BudgetLine
from .selectors import figures_of, with_figures


class LineNearlyExhausted(Rule):
    """BUD-02 预算即将用完: reserved + committed + paid ≥ the share of the adjusted amount."""

    code = "BUD-02"
    title = gettext_lazy("Budget line nearly exhausted")
    severity = Severity.LOW
    params = {"share": Param(Decimal("90"), gettext_lazy("used share of the adjusted amount (%)"))}
    events = ("case.approved", "payment.paid")
    hourly = True

    def scan(self, params, scope=None):
        share = Decimal(params["share"])
        lines = with_figures(BudgetLine.objects.filter(year=timezone.localdate().year).select_related("unit"))
        for line in lines.iterator(chunk_size=2000):
            fig = figures_of(line)
            if fig.adjusted <= 0:
                continue
            if fig.used * 100 < share * fig.adjusted:  # exact: 89.9999% is not 90%
                continue
            used = (fig.used * 100 / fig.adjusted).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
            yield Finding(
                records=(("budget.budgetline", line.pk),),
                message=_("%(line)s: %(used)s%% of the budget used (threshold %(share)s%%)") % {
                    "line": f"{line.unit.name} {line.project}", "used": used, "share": share},
                figures={"adjusted": str(fig.adjusted), "used": str(fig.used), "used_share": str(used),
                         "threshold": str(share)},
                unit_id=line.unit_id,
            )
