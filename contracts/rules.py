"""Contract risk rules (RISK_RULES.md, 合同与支付) over contracts and their supplements, run by
the risk engine through approvals.rules. The rules over payments come with the payments app."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.rules import Finding, Param, Rule, Severity

from .models import Contract, Supplement

LIVE = (Contract.Status.ACTIVE, Contract.Status.COMPLETED)


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


class SupplementsOverLimit(Rule):
    """CON-03 补充协议超限: the applied supplements together change the amount by more than the
    share of the original amount (政府采购法 第四十九条: 不得超过原合同采购金额的百分之十)."""

    code = "CON-03"
    title = gettext_lazy("Supplements over 10%")
    severity = Severity.HIGH
    params = {"share": Param(Decimal("10"), gettext_lazy("added amount as a share of the original (%)"),
                             regulation="政府采购法 第四十九条")}
    events = ("contract.signed",)

    def scan(self, params, scope=None):
        share = Decimal(params["share"])
        for c in Contract.objects.filter(status__in=LIVE, original_amount__gt=0).select_related("unit"):
            added = c.amount - c.original_amount
            if added * 100 <= share * c.original_amount:
                continue
            yield Finding(records=(("contracts.contract", c.pk),), unit_id=c.unit_id,
                          message=_("%(number)s: supplements added %(share)s%% to the original amount") % {
                              "number": c.number, "share": _pct(added, c.original_amount)},
                          figures={"original": str(c.original_amount), "amount": str(c.amount),
                                   "share": str(_pct(added, c.original_amount)), "threshold": str(share)})


class TooManyChanges(Rule):
    """CON-04 变更过多: at least the given number of applied supplements on one contract."""

    code = "CON-04"
    title = gettext_lazy("Too many changes")
    severity = Severity.MEDIUM
    params = {"count": Param(3, gettext_lazy("supplements on one contract"))}

    def scan(self, params, scope=None):
        limit = int(params["count"])
        rows = (Contract.objects.filter(status__in=LIVE)
                .annotate(n=Count("supplements", filter=Q(supplements__status=Supplement.Status.APPLIED)))
                .filter(n__gte=limit).select_related("unit"))
        for c in rows:
            yield Finding(records=(("contracts.contract", c.pk),), unit_id=c.unit_id,
                          message=_("%(number)s has %(n)s supplementary agreements") % {"number": c.number, "n": c.n},
                          figures={"supplements": c.n, "threshold": limit})


class ContractDiffersFromAward(Rule):
    """CON-09 中标价与合同价差异: the original contract amount differs from the awarded amount by
    more than the share (OCP R059)."""

    code = "CON-09"
    title = gettext_lazy("Contract amount differs from the award")
    severity = Severity.MEDIUM
    params = {"share": Param(Decimal("5"), gettext_lazy("difference from the awarded amount (%)"))}
    events = ("contract.signed",)

    def scan(self, params, scope=None):
        share = Decimal(params["share"])
        rows = (Contract.objects.filter(status__in=LIVE, award__isnull=False, award__amount__gt=0)
                .select_related("award", "unit"))
        for c in rows:
            diff = abs(c.original_amount - c.award.amount)
            if diff * 100 <= share * c.award.amount:
                continue
            yield Finding(records=(("contracts.contract", c.pk), ("procurement.award", c.award_id)), unit_id=c.unit_id,
                          message=_("%(number)s: the contract amount differs from the award by %(share)s%%") % {
                              "number": c.number, "share": _pct(diff, c.award.amount)},
                          figures={"award": str(c.award.amount), "contract": str(c.original_amount),
                                   "share": str(_pct(diff, c.award.amount)), "threshold": str(share)})
