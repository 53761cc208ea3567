"""Risk rules of works (RISK_RULES.md, 基建: ENG-01 … ENG-05), run by the risk engine through
``approvals.rules``; each reads only, and runs after the project events named."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal

from django.db.models import Exists, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.money import format_yuan
from approvals.rules import Finding, Param, Rule, Severity, judged_on
from contracts.models import Contract

from . import selectors
from .models import ChangeOrder, ContractRole, Project, ProjectContract

PS = Project.Status
LIVE = (PS.ESTIMATED, PS.BUILDING, PS.COMPLETED, PS.SETTLED, PS.CLOSED)
SIGNED = (Contract.Status.ACTIVE, Contract.Status.COMPLETED)


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def _scoped(qs, scope):
    if scope and scope.get("project_id"):
        qs = qs.filter(pk=scope["project_id"])
    return qs


def _record(p: Project):
    return ("construction.project", p.pk)


class ChangesOverShare(Rule):
    """ENG-01 变更签证超比例: approved and pending change orders together above the share of the
    construction contract."""

    code = "ENG-01"
    title = gettext_lazy("Changes over their share")
    severity = Severity.HIGH
    params = {"share": Param(Decimal("10"), gettext_lazy("changes as a share of the construction contract (%)"),
                             regulation="街道工程变更管理规定（默认10%）")}
    events = ("project.change_submitted", "project.change_approved")

    def scan(self, params, scope=None):
        share = Decimal(params["share"])
        changes = (ChangeOrder.objects.filter(project=OuterRef("pk"), status__in=ChangeOrder.HOLDING).order_by()
                   .values("project").annotate(s=Sum("amount")).values("s"))
        construction = ProjectContract.objects.filter(project=OuterRef("pk"), role=ContractRole.CONSTRUCTION).values(
            "contract__amount")
        rows = _scoped(Project.objects.filter(status__in=LIVE), scope).annotate(
            change_total=Subquery(changes), construction_amount=Subquery(construction)).filter(
            change_total__gt=0, construction_amount__gt=0)
        for p in rows:
            changes, construction = p.change_total, p.construction_amount
            if changes * 100 <= share * construction:
                continue
            yield Finding(records=(_record(p),), unit_id=p.unit_id,
                          message=_("%(number)s: change orders reach %(share)s%% of the construction contract") % {
                              "number": p.number, "share": _pct(changes, construction)},
                          figures={"changes": str(changes), "contract": str(construction),
                                   "share": str(_pct(changes, construction)), "threshold": str(share)})


class SupervisionMissing(Rule):
    """ENG-02 监理缺失: a project at or above the supervision amount without a signed
    supervision contract once its 概算 is approved."""

    code = "ENG-02"
    title = gettext_lazy("Supervision missing")
    severity = Severity.MEDIUM
    params = {"amount": Param(Decimal("1000000"), gettext_lazy("projects from this estimate need supervision (yuan)"),
                              regulation="本地规定：总投资100万元以上的工程须委托监理")}
    events = ("project.budget_approved", "project.started")

    def scan(self, params, scope=None):
        amount = Decimal(params["amount"])
        signed = ProjectContract.objects.filter(project=OuterRef("pk"), role=ContractRole.SUPERVISION,
                                                contract__status__in=SIGNED)
        rows = (_scoped(Project.objects.filter(status__in=LIVE), scope)
                .filter(Q(estimate__gte=amount) | Q(approved_budget__gte=amount)).filter(~Exists(signed)))
        for p in rows:
            yield Finding(records=(_record(p),), unit_id=p.unit_id,
                          message=_("%(number)s: estimate %(estimate)s and no signed supervision contract") % {
                              "number": p.number, "estimate": format_yuan(max(p.estimate, p.approved_budget or 0))},
                          figures={"estimate": str(p.estimate), "threshold": str(amount), "status": p.status})


class OverEstimate(Rule):
    """ENG-03 超概算: the project's contracts and changes, or its payments, above the approved 概算
    (政府投资条例 第二十三条)."""

    code = "ENG-03"
    title = gettext_lazy("Over the approved estimate")
    severity = Severity.HIGH
    params = {}
    events = ("project.change_approved", "project.progress", "project.settled", "payment.paid")

    def scan(self, params, scope=None):
        rows = _scoped(Project.objects.filter(status__in=LIVE, approved_budget__isnull=False), scope)
        if scope and scope.get("project_id") is None and scope.get("case_id"):
            rows = rows.filter(Q(payments__case_id=scope["case_id"]) | Q(contracts__contract__payments__case_id=scope["case_id"]))
        for p in selectors.ledger_queryset(scope=None).filter(pk__in=rows.values("pk")):
            committed = p.contracts_total + p.changes_total
            worst = max(committed, p.paid_total)
            if worst <= p.approved_budget:
                continue
            yield Finding(records=(_record(p),), unit_id=p.unit_id,
                          message=_("%(number)s: %(total)s against the approved 概算 %(cap)s") % {
                              "number": p.number, "total": format_yuan(worst), "cap": format_yuan(p.approved_budget)},
                          figures={"committed": str(committed), "paid": str(p.paid_total), "budget": str(p.approved_budget)})


class FastCompletion(Rule):
    """ENG-04 竣工过快: completion accepted within the days after the construction contract for
    works above the amount."""

    code = "ENG-04"
    title = gettext_lazy("Implausibly fast completion")
    severity = Severity.MEDIUM
    params = {"days": Param(60, gettext_lazy("days from the construction contract to completion")),
              "amount": Param(Decimal("1000000"), gettext_lazy("works above this amount (yuan)"))}
    events = ("project.completed",)

    def scan(self, params, scope=None):
        days, amount = int(params["days"]), Decimal(params["amount"])
        links = (ProjectContract.objects.filter(role=ContractRole.CONSTRUCTION, contract__amount__gt=amount,
                                                project__completed_on__isnull=False)
                 .select_related("project", "contract"))
        if scope and scope.get("project_id"):
            links = links.filter(project_id=scope["project_id"])
        for link in links:
            p, c = link.project, link.contract
            took = (p.completed_on - c.signed_on).days
            if took >= days:
                continue
            yield Finding(records=(_record(p), ("contracts.contract", c.pk)), unit_id=p.unit_id,
                          message=_("%(number)s: completed %(days)s days after contract %(contract)s (%(amount)s)") % {
                              "number": p.number, "days": took, "contract": c.number, "amount": format_yuan(c.amount)},
                          figures={"days": took, "threshold": days, "amount": str(c.amount)})


class CompletedNotHandedOver(Rule):
    """ENG-05 竣工未转固: completion accepted more than the days ago and not handed over."""

    code = "ENG-05"
    title = gettext_lazy("Completed but not handed over")
    severity = Severity.LOW
    params = {"days": Param(90, gettext_lazy("days after completion acceptance"))}
    events = ("project.completed", "project.handed_over")

    def scan(self, params, scope=None):
        days = int(params["days"])
        today = judged_on(scope)
        cutoff = today - dt.timedelta(days=days)
        rows = _scoped(Project.objects.filter(completed_on__lt=cutoff, handed_over_on__isnull=True)
                       .exclude(status=PS.CANCELLED), scope)
        for p in rows:
            yield Finding(records=(_record(p),), unit_id=p.unit_id,
                          message=_("%(number)s: completed on %(date)s and not handed over (%(days)s days)") % {
                              "number": p.number, "date": p.completed_on, "days": (today - p.completed_on).days},
                          figures={"completed_on": str(p.completed_on), "days": (today - p.completed_on).days,
                                   "threshold": days})


class PreFinancing(Rule):
    """ENG-06 施工垫资 — contractor pre-financing: a project's construction contract whose payment
    plan defers all payment to completion (政府投资条例 第二十二条; ``selectors.prefinancing_q``)."""

    code = "ENG-06"
    title = gettext_lazy("Contractor pre-financing")
    severity = Severity.HIGH
    params = {}
    events = ("project.budget_approved", "project.started", "project.progress")

    def scan(self, params, scope=None):
        links = (ProjectContract.objects.filter(role=ContractRole.CONSTRUCTION, project__status__in=LIVE)
                 .filter(selectors.prefinancing_q("contract_id")).select_related("project", "contract"))
        if scope and scope.get("project_id"):
            links = links.filter(project_id=scope["project_id"])
        for link in links:
            p, c = link.project, link.contract
            yield Finding(records=(_record(p), ("contracts.contract", c.pk)), unit_id=p.unit_id,
                          message=_("%(number)s: contract %(contract)s defers all payment to completion (垫资)") % {
                              "number": p.number, "contract": c.number},
                          figures={"contract": c.number, "amount": str(c.amount)})


RULES = (ChangesOverShare, SupervisionMissing, OverEstimate, FastCompletion, CompletedNotHandedOver, PreFinancing)
