"""Reads of construction projects: the limits in force, the money figures of a project (one
place that sums contracts, changes, work done, payments and settlement) and the ledger."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.models import Contract
from contracts.models import Payment as ContractPayment
from contracts.models import PaymentTerm
from procurement.selectors import threshold_amount

from .exceptions import ConstructionError
from .models import (
    ChangeOrder,
    ContractRole,
    Limit,
    ProgressPayment,
    ProgressReport,
    Project,
    ProjectContract,
    ProjectFunding,
    Settlement,
)

ZERO = Decimal("0")
MONEY = DecimalField(max_digits=14, decimal_places=2)


@dataclass(frozen=True)
class LimitValue:
    value: Decimal
    regulation: str


def limit(kind: str, *, on: dt.date | None = None) -> LimitValue:
    """The row of ``kind`` in force on ``on`` (today); a missing row is a configuration error,
    never a silent default."""
    on = on or timezone.localdate()
    row = (Limit.objects.filter(kind=kind, effective_from__lte=on)
           .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on)).order_by("-effective_from").first())
    if row is None:
        raise ConstructionError(
            _("No “%(kind)s” is configured for %(date)s; ask the administrator to add it to the construction limits.")
            % {"kind": Limit.Kind(kind).label, "date": on.isoformat()}, code="limit_missing")
    return LimitValue(value=row.value, regulation=row.regulation)


def supervision_threshold(*, on: dt.date | None = None) -> Decimal:
    """Projects at or above this amount need a supervision contract (procurement's thresholds
    table, kind ``supervision``, works: a local rule, default ¥1,000,000)."""
    amount = threshold_amount("supervision", category="works", on=on)
    if amount is None:
        raise ConstructionError(_("No supervision threshold is configured in the thresholds table; ask the administrator."),
                                code="threshold_missing")
    return amount


def _sum(qs, field="amount") -> Decimal:
    return qs.aggregate(s=Sum(field))["s"] or ZERO


def construction_contract(project: Project) -> Contract | None:
    link = project.contracts.filter(role=ContractRole.CONSTRUCTION).select_related("contract__supplier").first()
    return link.contract if link else None


# 垫资 (政府投资条例 第二十二条: 政府投资项目不得由施工单位垫资建设): a payment plan that pays
# nothing before completion — none of its current terms is an advance, a progress payment or
# due on signing — makes the contractor pre-finance the works.
PAID_BEFORE_COMPLETION = Q(kind__in=[PaymentTerm.Kind.ADVANCE, PaymentTerm.Kind.PROGRESS]) | Q(
    trigger=PaymentTerm.Trigger.SIGNING)


def prefinancing_q(contract_ref: str = "pk") -> Q:
    """Contracts (or rows whose ``contract_ref`` points at one) whose current payment plan defers
    all payment to completion: it has terms and none of them is paid before completion."""
    terms = PaymentTerm.objects.filter(contract=OuterRef(contract_ref), is_active=True)
    return Q(Exists(terms)) & ~Q(Exists(terms.filter(PAID_BEFORE_COMPLETION)))


def prefinanced_contracts(project: Project) -> list[Contract]:
    """The project's construction contracts whose payment plan defers all payment to completion."""
    return list(Contract.objects.filter(project_link__project=project, project_link__role=ContractRole.CONSTRUCTION)
                .filter(prefinancing_q()).order_by("pk"))


def has_signed(project: Project, role: str) -> bool:
    return project.contracts.filter(role=role, contract__status__in=(Contract.Status.ACTIVE, Contract.Status.COMPLETED)).exists()


@dataclass
class Figures:
    """The project's money at one moment (the project page, the estimate control, ENG-03)."""

    estimate: Decimal
    approved_budget: Decimal | None
    contracts: Decimal  # linked contracts' amounts
    construction: Decimal  # the construction contract's amount
    changes: Decimal  # approved + in approval change orders
    changes_approved: Decimal
    work_done: Decimal  # latest progress report
    paid: Decimal  # contract payments paid + progress payments paid
    in_flight: Decimal  # submitted or approved, not paid
    settlement: Decimal | None
    audited: Decimal | None
    funding: Decimal

    @property
    def committed(self) -> Decimal:
        """What counts against the 概算: contracts and changes (payments come out of these)."""
        return self.contracts + self.changes

    @property
    def change_share(self) -> Decimal:
        if not self.construction:
            return ZERO
        return (self.changes * 100 / self.construction).quantize(Decimal("0.01"))

    @property
    def room(self) -> Decimal | None:
        return None if self.approved_budget is None else self.approved_budget - self.committed


def figures(project: Project, *, exclude_change_id: int | None = None, exclude_payment_id: int | None = None) -> Figures:
    links = list(project.contracts.select_related("contract"))
    contract_ids = [l.contract_id for l in links]
    changes = project.changes.filter(status__in=ChangeOrder.HOLDING)
    if exclude_change_id:
        changes = changes.exclude(pk=exclude_change_id)
    progress = project.payments.filter(status__in=ProgressPayment.HOLDING)
    if exclude_payment_id:
        progress = progress.exclude(pk=exclude_payment_id)
    cp = ContractPayment.objects.filter(contract_id__in=contract_ids, status__in=ContractPayment.HOLDING)
    paid = _sum(cp.filter(status=ContractPayment.Status.PAID)) + _sum(progress.filter(status=ProgressPayment.Status.PAID))
    in_flight = (_sum(cp.exclude(status=ContractPayment.Status.PAID))
                 + _sum(progress.exclude(status=ProgressPayment.Status.PAID)))
    last = project.progress.order_by("-reported_on", "-id").first()
    settlement = Settlement.objects.filter(project=project).first()
    return Figures(
        estimate=project.estimate, approved_budget=project.approved_budget,
        contracts=sum((l.contract.amount for l in links), ZERO),
        construction=sum((l.contract.amount for l in links if l.role == ContractRole.CONSTRUCTION), ZERO),
        changes=_sum(changes), changes_approved=_sum(changes.filter(status=ChangeOrder.Status.APPROVED)),
        work_done=last.work_done if last else ZERO, paid=paid, in_flight=in_flight,
        settlement=settlement.amount if settlement else None, audited=settlement.audited_amount if settlement else None,
        funding=_sum(project.funding.all()),
    )


# --- the ledger (工程项目台账) -------------------------------------------------------------------
def _subsum(qs, field="amount"):
    return Coalesce(Subquery(qs.order_by().values(k=Value(1)).annotate(s=Sum(field)).values("s")[:1], output_field=MONEY),
                    Value(ZERO), output_field=MONEY)


def ledger_queryset(*, scope: set[int] | None, year: int | None = None, unit_id: int | None = None,
                    status: str = "", kind: str = "", q: str = "") -> QuerySet[Project]:
    """Projects with their sums as annotations: one query however many projects."""
    qs = Project.objects.select_related("unit")
    if scope is not None:
        qs = qs.filter(unit_id__in=scope)
    if year:
        qs = qs.filter(created_at__year=year)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(number__icontains=q) | Q(location__icontains=q))
    pc = ProjectContract.objects.filter(project=OuterRef("pk"))
    qs = qs.annotate(
        contracts_total=_subsum(pc, "contract__amount"),
        changes_total=_subsum(ChangeOrder.objects.filter(project=OuterRef("pk"), status=ChangeOrder.Status.APPROVED)),
        work_done=Coalesce(Subquery(ProgressReport.objects.filter(project=OuterRef("pk")).order_by("-reported_on", "-id")
                                    .values("work_done")[:1], output_field=MONEY), Value(ZERO), output_field=MONEY),
        progress_paid=_subsum(ProgressPayment.objects.filter(project=OuterRef("pk"), status=ProgressPayment.Status.PAID)),
        contract_paid=_subsum(ContractPayment.objects.filter(contract__project_link__project=OuterRef("pk"),
                                                             status=ContractPayment.Status.PAID)),
        audited=F("settlement__audited_amount"),
        has_supervision=Exists(pc.filter(role=ContractRole.SUPERVISION)),
    ).annotate(paid_total=F("progress_paid") + F("contract_paid"))
    return qs.order_by("-created_at", "-id")


@dataclass
class Totals:
    count: int = 0
    estimate: Decimal = ZERO
    approved_budget: Decimal = ZERO
    contracts: Decimal = ZERO
    changes: Decimal = ZERO
    work_done: Decimal = ZERO
    paid: Decimal = ZERO
    audited: Decimal = ZERO

    def add(self, p: Project) -> None:
        self.count += 1
        self.estimate += p.estimate
        self.approved_budget += p.approved_budget or ZERO
        self.contracts += p.contracts_total
        self.changes += p.changes_total
        self.work_done += p.work_done
        self.paid += p.paid_total
        self.audited += p.audited or ZERO


def funding_of(project: Project):
    return ProjectFunding.objects.filter(project=project).select_related("budget_line").order_by("id")


# --- the project page (关联查询) -------------------------------------------------------------------
def timeline(project: Project) -> list[dict]:
    """The stages with their dates and the days each took since the one before."""
    from .models import FinalAccounts, Handover

    s = Settlement.objects.filter(project=project, status=Settlement.Status.APPROVED).first()
    fa = FinalAccounts.objects.filter(project=project).first()
    h = Handover.objects.filter(project=project).first()
    created = timezone.localdate(project.created_at)
    rows = [
        (_("Initiation filed"), created),
        (_("Initiation approved (立项)"), project.initiated_on),
        (_("概算 approved"), project.budget_approved_on),
        (_("Construction started"), project.started_on),
        (_("Completion accepted (竣工验收)"), project.completed_on),
        (_("Settlement audited (结算审核)"), s.approved_on if s else None),
        (_("Final accounts approved (竣工财务决算)"), fa.approved_on if fa else None),
        (_("Handed over (交付使用)"), h.handed_over_on if h else None),
    ]
    out, previous = [], None
    for label, day in rows:
        out.append({"label": label, "date": day, "days": (day - previous).days if day and previous else None})
        if day:
            previous = day
    return out


def missing(project: Project) -> list[str]:
    """What the project still lacks for its next stage, in the office's words."""
    from documents.selectors import documents_of

    from .models import DocKind

    S = Project.Status
    out: list[str] = []
    if project.status in (S.DRAFT, S.INITIATING):
        if not project.case.attachments.exists():
            out.append(_("the feasibility study attached to the initiation form"))
        if project.status == S.DRAFT:
            out.append(_("submit the initiation form"))
    elif project.status in (S.INITIATED, S.ESTIMATING):
        if not documents_of(project, DocKind.BUDGET_BOOK).exists():
            out.append(_("the 概算书 attached to the project"))
        if project.budget_estimate is None:
            out.append(_("the 概算 amount"))
        if project.status == S.INITIATED:
            out.append(_("submit the 概算 stage of the initiation form"))
    elif project.status == S.ESTIMATED:
        if not project.contracts.filter(role=ContractRole.CONSTRUCTION).exists():
            out.append(_("the construction contract (through procurement and contracts)"))
        if project.supervision_required and not has_signed(project, ContractRole.SUPERVISION):
            out.append(_("a signed supervision contract (the project reaches the supervision threshold)"))
    elif project.status == S.BUILDING:
        if not project.contracts.filter(role=ContractRole.CONSTRUCTION).exists():
            out.append(_("the construction contract"))
        if not project.progress.exists():
            out.append(_("a progress report with the value of work done"))
        if not documents_of(project, DocKind.COMPLETION).exists():
            out.append(_("the completion acceptance report"))
    elif project.status == S.COMPLETED:
        out.append(_("the settlement review with the audit report"))
    elif project.status == S.SETTLED:
        out.append(_("the final accounts (due %(date)s)") % {
            "date": getattr(getattr(project, "final_accounts", None), "due_on", "")})
    if project.completed_on and project.handed_over_on is None:
        out.append(_("the handover to the user unit with its asset cards"))
    return out


STAGE_OF_KIND = {
    "feasibility": "initiation", "budget_book": "budget", "design": "budget", "permit": "start", "photo": "progress",
    "change": "progress", "completion": "completion", "settlement": "settlement", "audit": "settlement",
    "final_accounts": "final", "handover": "handover", "other": "other",
}
STAGE_LABELS = {
    "initiation": gettext_lazy("Initiation"), "budget": gettext_lazy("概算 and design"), "start": gettext_lazy("Start"), "progress": gettext_lazy("Construction"),
    "completion": gettext_lazy("Completion"), "settlement": gettext_lazy("Settlement"), "final": gettext_lazy("Final accounts"), "handover": gettext_lazy("Handover"),
    "other": gettext_lazy("Other"), "contracts": gettext_lazy("Contracts"),
}


def documents_by_stage(project: Project) -> list[dict]:
    """Every file of the project grouped by stage: its own, its progress photos, the forms'
    materials (initiation, changes, payments, settlement) and its contracts' files."""
    from django.contrib.contenttypes.models import ContentType

    from approvals.models import Case
    from documents.models import Document

    from .models import DocKind

    groups: dict[str, list] = {k: [] for k in STAGE_LABELS}
    kinds = dict(DocKind.choices)

    def add(stage, doc, label):
        groups[stage].append({"doc": doc, "label": label})

    for d in Document.objects.filter(owner_type=ContentType.objects.get_for_model(Project), owner_id=project.pk).order_by("id"):
        add(STAGE_OF_KIND.get(d.kind, "other"), d, kinds.get(d.kind, d.kind))
    report_ids = list(project.progress.values_list("pk", flat=True))
    for d in Document.objects.filter(owner_type=ContentType.objects.get_for_model(ProgressReport),
                                     owner_id__in=report_ids).order_by("id"):
        add("progress", d, kinds["photo"])
    case_stage = {project.case_id: "initiation"}
    case_stage.update({c: "progress" for c in project.changes.values_list("case_id", flat=True)})
    case_stage.update({c: "progress" for c in project.payments.values_list("case_id", flat=True)})
    case_stage.update({c: "settlement" for c in Settlement.objects.filter(project=project).values_list("case_id", flat=True)})
    for d in Document.objects.filter(owner_type=ContentType.objects.get_for_model(Case), owner_id__in=list(case_stage)).order_by("id"):
        add(case_stage[d.owner_id], d, d.kind)
    contract_ids = list(project.contracts.values_list("contract_id", flat=True))
    for d in Document.objects.filter(owner_type=ContentType.objects.get_for_model(Contract), owner_id__in=contract_ids).order_by("id"):
        add("contracts", d, d.kind)
    return [{"stage": k, "label": STAGE_LABELS[k], "docs": v} for k, v in groups.items() if v]


def payment_deadline(project: Project) -> dict | None:
    """保障中小企业款项支付条例（国务院令第802号修订）第九、十条: an SME contractor is paid within 30
    days of the acceptance, or of the agreed settlement amount where payment follows the
    settlement (at most 60 if the contract says so); waiting for the audit or for the final
    accounts is no ground for delay (第十四条). Calendar days, as the regulation counts them."""
    contract = construction_contract(project)
    if contract is None or project.completed_on is None or not contract.supplier.is_sme:
        return None
    s = Settlement.objects.filter(project=project, status=Settlement.Status.APPROVED).first()
    start = s.approved_on if s else project.completed_on
    return {"from": start, "due": start + dt.timedelta(days=30), "settled": s is not None, "supplier": contract.supplier.name}
