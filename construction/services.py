"""Writes of construction projects. Each checks under row locks and refuses with a message
naming the rule; nothing is half-saved (every write is one ``transaction.atomic()``).

Lock order (after the case row when the write runs in a case transition, see
``approvals.services``): 1. the project row; 2. the project's change orders or progress
payment being decided; 3. the construction contract (``contracts.Contract``); 4. budget lines
(through the payment desk, by id); 5. asset cards (created last, numbers from core.sequences).

Rules (cited where they apply):
* 政府投资条例（国务院令第712号）第十二条: the approved 概算 is the cap of the project's total
  investment; a 概算 more than 10% above the 投资估算 → the initiation is re-approved;
  第二十三条: the investment may not exceed the approved 概算 (an adjustment is approved first);
  第二十条: construction starts only when its conditions are met; 第二十二条: no 垫资;
  第二十五条: completion acceptance, then the final accounts in time.
* local rule (seed 002, procurement's thresholds table): supervision at or above ¥1,000,000.
* 建质〔2017〕138号 第七条: retention at most 3% of the settlement total.
* 财建〔2022〕183号: progress payments at least 80% of the work done, at most the contract's rate.
* 财建〔2016〕503号: final accounts within 3 months of completion (article number not verified).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals import services as approval_services
from approvals.models import Case, Matter, PolicyStep, RouteStep, StepAssignee, StepKind, StepMode
from approvals.money import format_yuan, round_money
from approvals.routing import resolve_step
from assets import services as asset_services
from contracts.models import Contract, ContractCategory, PaymentTerm
from contracts.models import Payment as ContractPayment
from core import events, sequences
from core.stages import Stage
from core.transitions import transition_all
from documents.selectors import documents_of

from . import funding, selectors
from .exceptions import ConstructionError
from .models import (
    ChangeOrder,
    ContractRole,
    DocKind,
    FinalAccounts,
    Handover,
    Limit,
    ProgressPayment,
    ProgressReport,
    Project,
    ProjectContract,
    ProjectFunding,
    Settlement,
    months_after,
)

ZERO = Decimal("0")
PS = Project.Status
CS = Case.Status
EDITABLE = (CS.DRAFT, CS.RETURNED)

MATTER_INITIATION = "GC-LX"
MATTER_CHANGE = "GC-BG"
MATTER_SETTLEMENT = "GC-JS"
MATTER_PAYMENT = "GC-JDK"

R_ESTIMATE = "政府投资条例（国务院令第712号）第二十三条"
R_ESTIMATE_OVER = "政府投资条例（国务院令第712号）第十二条"
R_START = "政府投资条例（国务院令第712号）第二十条"
R_COMPLETION = "政府投资条例（国务院令第712号）第二十五条"

for _name in ("project.initiated", "project.budget_approved", "project.started", "project.change_submitted",
              "project.change_approved", "project.progress", "project.completed", "project.settled",
              "project.closed", "project.handed_over"):
    events.define(_name)


def _money(value, what: str) -> Decimal:
    if value in (None, ""):
        raise ConstructionError(_("Give the %(what)s.") % {"what": what}, code="amount_required")
    value = round_money(value)
    if value <= 0:
        raise ConstructionError(_("The %(what)s must be greater than zero.") % {"what": what}, code="amount_positive")
    return value


def _writer(actor) -> None:
    if actor.changes_nothing:
        raise ConstructionError(_("Supervisors read every project but change nothing."), code="read_only")


def _lock(project: Project) -> Project:
    return Project.objects.select_for_update(of=("self",)).select_related("unit", "case").get(pk=project.pk)


def _need(project: Project, *statuses: str, what: str) -> None:
    if project.status not in statuses:
        raise ConstructionError(
            _("%(what)s is not possible while the project is “%(status)s”.") % {"what": what, "status": project.get_status_display()},
            code="status")


def _matter(code: str) -> Matter:
    matter = Matter.objects.filter(code=code, is_active=True).first()
    if matter is None:
        raise ConstructionError(_("Matter %(code)s is not in the catalogue; ask the administrator.") % {"code": code},
                                code="matter_missing")
    return matter


def _record_of(model, case: Case):
    record = model.objects.select_related("project").filter(case=case).first()
    if record is None:
        raise ConstructionError(_("This form is filed from the project's page (工程项目台账), not as a bare form."),
                                code="no_project")
    return record


def next_project_number(year: int) -> str:
    return f"GC-{year}-{sequences.next_number('project', year):04d}"


def _over_cap(project: Project, fig: selectors.Figures, adding: Decimal, what: str) -> None:
    """Estimate control: contracts + changes (+ what is being added) within the approved 概算."""
    if project.approved_budget is None:
        raise ConstructionError(_("The 概算 of %(number)s is not approved yet: %(what)s must wait (%(rule)s).")
                                % {"number": project.number, "what": what, "rule": R_ESTIMATE}, code="no_budget")
    total = fig.committed + adding
    if total > project.approved_budget:
        raise ConstructionError(
            _("Refused (ENG-03, %(rule)s): %(what)s would take the project's contracts and changes to %(total)s, above the "
              "approved 概算 %(cap)s; an adjustment of the 概算 must be approved first.")
            % {"rule": R_ESTIMATE, "what": what, "total": format_yuan(total), "cap": format_yuan(project.approved_budget)},
            code="over_budget")


# --- initiation (立项) and 概算 ------------------------------------------------------------------
def supervision_required(amount: Decimal, *, on: dt.date | None = None) -> bool:
    return amount >= selectors.supervision_threshold(on=on)


def project_create(*, actor, name: str, location: str, kind: str, estimate, necessity: str = "", scale: str = "",
                   funding: list[tuple]) -> Project:
    """A project and its initiation case (matter 工程立项), filled and ready to submit."""
    _writer(actor)
    estimate = _money(estimate, _("investment estimate"))
    name, location = (name or "").strip(), (location or "").strip()
    if not name or not location:
        raise ConstructionError(_("Give the project's name and location."), code="name_required")
    rows = [(line, _money(amount, _("funding amount"))) for line, amount in funding if line is not None]
    if not rows:
        raise ConstructionError(_("Name at least one budget line the project draws on."), code="funding_required")
    if len({line.pk for line, _a in rows}) != len(rows):
        raise ConstructionError(_("A budget line may appear only once in the funding."), code="funding_twice")
    total = sum((a for _l, a in rows), ZERO)
    if total != estimate:
        raise ConstructionError(_("The funding (%(total)s) must add up to the investment estimate (%(estimate)s).")
                                % {"total": format_yuan(total), "estimate": format_yuan(estimate)}, code="funding_total")
    for line, _a in rows:
        if line.unit_id != actor.unit_id:
            raise ConstructionError(_("Budget line %(line)s belongs to another unit.") % {"line": line}, code="funding_unit")
    matter = _matter(MATTER_INITIATION)
    with transaction.atomic():
        case = approval_services.case_create(matter=matter, applicant=actor, title=_("Initiation: %(name)s") % {"name": name},
                                             reason=necessity, amount=estimate)
        project = Project(number=next_project_number(case.year), name=name[:200], unit=case.unit, location=location[:200],
                          kind=kind, necessity=necessity, scale=scale, estimate=estimate, case=case, created_by=actor,
                          supervision_required=supervision_required(estimate))
        project.full_clean()
        project.save()
        ProjectFunding.objects.bulk_create([ProjectFunding(project=project, budget_line=l, amount=a) for l, a in rows])
    return project


def _project_of(case: Case) -> Project:
    project = Project.objects.select_for_update(of=("self",)).filter(case=case).first()
    if project is None:
        raise ConstructionError(_("A project initiation is filed from the project ledger (工程项目台账), not as a bare form."),
                                code="no_project")
    return project


def initiation_submit(*, case: Case) -> list[str]:
    project = _project_of(case)
    project.transition(PS.INITIATING)
    warnings = []
    tender = _tender_threshold(project)
    if tender is not None and project.estimate >= tender:
        warnings.append(_("The estimate reaches %(amount)s: the construction contract must be tendered "
                          "(国家发展改革委令第16号 第五条).") % {"amount": format_yuan(tender)})
    return warnings


def _tender_threshold(project: Project):
    from procurement.selectors import threshold_amount

    return threshold_amount("works_tender", category="works")


def initiation_approved(*, case: Case) -> None:
    project = _project_of(case)
    project.transition(PS.INITIATED, initiated_on=timezone.localdate())
    events.emit("project.initiated", project_id=project.pk, case_id=case.pk)


def initiation_returned(*, case: Case) -> None:
    project = _project_of(case)
    if project.status == PS.INITIATING:
        project.transition(PS.DRAFT)
    elif project.status == PS.ESTIMATING:
        project.transition(PS.INITIATED)


def initiation_cancel(*, case: Case) -> None:
    project = _project_of(case)
    if project.status not in (PS.CANCELLED, PS.CLOSED):
        project.transition(PS.CANCELLED)
        funding.release(project, actor=case.applicant, note=_("Released: the project was cancelled"))


def project_budget_set(*, project: Project, actor, amount) -> Project:
    """The 初步设计概算 proposed for approval (stage 概算 of the initiation case)."""
    _writer(actor)
    amount = _money(amount, _("概算"))
    with transaction.atomic():
        project = _lock(project)
        case = project.case
        if case.applicant_id != actor.pk or case.stage_key != Stage.PROJECT_BUDGET or case.status not in EDITABLE:
            raise ConstructionError(_("The 概算 is filled by the applicant once the initiation is approved."),
                                    code="not_editable")
        over = selectors.limit(Limit.Kind.ESTIMATE_OVER)
        ceiling = project.estimate * (100 + over.value) / 100
        if amount > ceiling:
            raise ConstructionError(
                _("Refused (%(rule)s): the 概算 %(amount)s is more than %(share)s%% above the investment estimate %(estimate)s; "
                  "the initiation must be re-approved with a new estimate first.")
                % {"rule": over.regulation, "amount": format_yuan(amount), "share": over.value,
                   "estimate": format_yuan(project.estimate)}, code="budget_over_estimate")
        project.budget_estimate = amount
        project.save(update_fields=["budget_estimate", "updated_at"])
    return project


def budget_submit(*, case: Case) -> list[str]:
    project = _project_of(case)
    if project.budget_estimate is None:
        raise ConstructionError(_("Fill in the 概算 before submitting it."), code="budget_required")
    if not documents_of(project, DocKind.BUDGET_BOOK).exists():
        raise ConstructionError(_("Attach the 概算书 to the project before submitting the 概算."), code="budget_book")
    project.transition(PS.ESTIMATING)
    return []


def budget_approved(*, case: Case) -> None:
    project = _project_of(case)
    project.transition(PS.ESTIMATED, approved_budget=project.budget_estimate, budget_approved_on=timezone.localdate(),
                       supervision_required=supervision_required(max(project.estimate, project.budget_estimate)))
    funding.arrange(project, actor=case.applicant)
    events.emit("project.budget_approved", project_id=project.pk, case_id=case.pk)


# --- contracts and start ------------------------------------------------------------------------
ROLE_CATEGORIES = {
    ContractRole.CONSTRUCTION: {ContractCategory.WORKS},
    ContractRole.SUPERVISION: {ContractCategory.SERVICES},
    ContractRole.DESIGN: {ContractCategory.SERVICES},
    ContractRole.SURVEY: {ContractCategory.SERVICES},
    ContractRole.COST: {ContractCategory.SERVICES},
}


def project_contract_link(*, project: Project, contract: Contract, role: str, actor) -> ProjectContract:
    """A contract signed through the contracts module becomes one of the project's contracts,
    within the approved 概算 (ENG-03)."""
    _writer(actor)
    if role not in ContractRole.values:
        raise ConstructionError(_("Choose the contract's role in the project."), code="role")
    with transaction.atomic():
        project = _lock(project)
        _need(project, PS.ESTIMATED, PS.BUILDING, what=_("Adding a contract"))
        contract = Contract.objects.select_for_update(of=("self",)).get(pk=contract.pk)
        if contract.status not in (Contract.Status.ACTIVE, Contract.Status.COMPLETED):
            raise ConstructionError(_("Contract %(number)s is not signed and in force yet.") % {"number": contract.number},
                                    code="contract_not_signed")
        if contract.unit_id != project.unit_id:
            raise ConstructionError(_("Contract %(number)s belongs to another unit.") % {"number": contract.number},
                                    code="contract_unit")
        if ProjectContract.objects.filter(contract=contract).exists():
            raise ConstructionError(_("Contract %(number)s already belongs to a project.") % {"number": contract.number},
                                    code="contract_taken")
        if contract.category not in ROLE_CATEGORIES[role]:
            raise ConstructionError(_("A %(role)s contract must be of the category %(category)s.") % {
                "role": ContractRole(role).label, "category": "、".join(str(ContractCategory(c).label) for c in ROLE_CATEGORIES[role])},
                code="contract_category")
        if role == ContractRole.CONSTRUCTION and project.contracts.filter(role=role).exists():
            raise ConstructionError(_("The project already has its construction contract; changes go through change orders."),
                                    code="construction_twice")
        _over_cap(project, selectors.figures(project), contract.amount, _("contract %(number)s") % {"number": contract.number})
        link = ProjectContract.objects.create(project=project, contract=contract, role=role, linked_by=actor)
        funding.contract_linked(project, contract, actor=actor)
    return link


def project_start(*, project: Project, actor, started_on: dt.date) -> Project:
    """开工: refused without a signed supervision contract when the project needs one."""
    _writer(actor)
    with transaction.atomic():
        project = _lock(project)
        _need(project, PS.ESTIMATED, what=_("Starting construction"))
        if started_on > timezone.localdate():
            raise ConstructionError(_("The start date cannot be in the future."), code="future")
        if project.supervision_required and not selectors.has_signed(project, ContractRole.SUPERVISION):
            raise ConstructionError(
                _("Refused (ENG-02, %(rule)s; local rule: projects of %(amount)s or more are supervised): construction "
                  "cannot start without a signed supervision contract.")
                % {"rule": R_START, "amount": format_yuan(selectors.supervision_threshold())}, code="supervision_missing")
        project.transition(PS.BUILDING, started_on=started_on)
        events.emit("project.started", project_id=project.pk)
    return project


# --- change orders (设计变更 / 现场签证) ----------------------------------------------------------
def change_order_start(*, project: Project, actor, kind: str, amount, reason: str) -> ChangeOrder:
    _writer(actor)
    amount = _money(amount, _("change amount"))
    if kind not in ChangeOrder.Kind.values:
        raise ConstructionError(_("Choose design change or site visa."), code="kind")
    if not (reason or "").strip():
        raise ConstructionError(_("Give the reason for the change."), code="reason_required")
    matter = _matter(MATTER_CHANGE)
    with transaction.atomic():
        project = _lock(project)
        _need(project, PS.BUILDING, what=_("A change order"))
        if selectors.construction_contract(project) is None:
            raise ConstructionError(_("A change order needs the construction contract of the project."),
                                    code="no_construction_contract")
        _over_cap(project, selectors.figures(project), amount, _("this change"))
        case = approval_services.case_create(
            matter=matter, applicant=actor, amount=amount, reason=reason,
            title=_("%(kind)s: %(name)s") % {"kind": ChangeOrder.Kind(kind).label, "name": project.name})
        change = ChangeOrder.objects.create(project=project, case=case, kind=kind, amount=amount, reason=reason.strip())
    return change


def _change_of(case: Case) -> ChangeOrder:
    return ChangeOrder.objects.select_for_update(of=("self",)).get(case=case)


def change_order_submit(*, case: Case) -> list[str]:
    """Cumulative amount and share of the construction contract, under the project's lock."""
    change = _record_of(ChangeOrder, case)
    project = _lock(change.project)
    change = _change_of(case)
    contract = selectors.construction_contract(project)
    if contract is None:
        raise ConstructionError(_("A change order needs the construction contract of the project."),
                                code="no_construction_contract")
    fig = selectors.figures(project, exclude_change_id=change.pk)
    _over_cap(project, fig, change.amount, _("this change"))
    share_limit = selectors.limit(Limit.Kind.CHANGE_SHARE)
    change.cumulative = fig.changes + change.amount
    change.share = (change.cumulative * 100 / contract.amount).quantize(Decimal("0.01"))
    change.major = change.share > share_limit.value
    change.transition(ChangeOrder.Status.IN_APPROVAL, fields=["cumulative", "share", "major"])
    events.emit("project.change_submitted", project_id=project.pk, change_id=change.pk)
    if change.major:
        return [_("Changes reach %(share)s%% of the construction contract, above %(limit)s%% (%(rule)s): the principal "
                  "leader and the collective decision are added to the route (ENG-01).")
                % {"share": change.share, "limit": share_limit.value, "rule": share_limit.regulation}]
    return []


def change_order_route(*, case: Case) -> None:
    """A change above the share adds the principal leader and the collective decision (三重一大)
    to the route of this submission, unless the policy tier has them already."""
    change = ChangeOrder.objects.get(case=case)
    if not change.major:
        return
    steps = RouteStep.objects.filter(case=case, stage=case.stage, version=case.route_version)
    have = set(steps.values_list("kind", flat=True))
    order = max(steps.values_list("order", flat=True), default=0)
    for kind in (StepKind.PRINCIPAL, StepKind.COLLECTIVE):
        if kind in have:
            continue
        order += 1
        resolved = resolve_step(PolicyStep(kind=kind, order=order, mode=StepMode.SINGLE, time_limit_hours=8),
                                matter=case.matter, unit=case.unit, applicant=case.applicant)
        if resolved.error or not resolved.users:
            raise ConstructionError(resolved.error or _("Nobody holds the step “%(step)s”.") % {"step": resolved.name},
                                    code="route")
        step = RouteStep.objects.create(case=case, stage=case.stage, version=case.route_version, order=order,
                                        name=resolved.name, kind=kind, mode=resolved.mode, time_limit_hours=8)
        StepAssignee.objects.bulk_create([StepAssignee(step=step, user=u, round=case.round) for u in resolved.users])


def change_order_approved(*, case: Case) -> None:
    change = _change_of(case)
    change.transition(ChangeOrder.Status.APPROVED, approved_on=timezone.localdate())
    events.emit("project.change_approved", project_id=change.project_id, change_id=change.pk)


def change_order_reopen(*, case: Case) -> None:
    _change_of(case).transition(ChangeOrder.Status.DRAFT)


def change_order_cancel(*, case: Case) -> None:
    _change_of(case).transition(ChangeOrder.Status.CANCELLED)


# --- progress and progress payments --------------------------------------------------------------
def progress_report_add(*, project: Project, actor, reported_on: dt.date, work_done, note: str = "") -> ProgressReport:
    _writer(actor)
    work_done = _money(work_done, _("value of work done"))
    with transaction.atomic():
        project = _lock(project)
        _need(project, PS.BUILDING, what=_("A progress report"))
        if reported_on > timezone.localdate() or (project.started_on and reported_on < project.started_on):
            raise ConstructionError(_("The report date must lie between the start of construction and today."), code="date")
        last = project.progress.order_by("-reported_on", "-id").first()
        if last is not None and (work_done < last.work_done or reported_on < last.reported_on):
            raise ConstructionError(_("The work done is cumulative: it cannot fall below the last report (%(amount)s on "
                                      "%(date)s).") % {"amount": format_yuan(last.work_done), "date": last.reported_on},
                                    code="not_cumulative")
        fig = selectors.figures(project)
        ceiling = fig.construction + fig.changes_approved
        if work_done > ceiling:
            raise ConstructionError(_("The work done %(amount)s exceeds the construction contract with its approved changes "
                                      "(%(ceiling)s).") % {"amount": format_yuan(work_done), "ceiling": format_yuan(ceiling)},
                                    code="above_contract")
        report = ProgressReport.objects.create(project=project, reported_on=reported_on, work_done=work_done,
                                               note=note or "", created_by=actor)
        events.emit("project.progress", project_id=project.pk, report_id=report.pk)
    return report


def contract_rate(contract: Contract) -> Decimal:
    """The contract's progress-payment rate: the percent of its current progress terms."""
    terms = contract.terms.filter(is_active=True, kind=PaymentTerm.Kind.PROGRESS)
    return sum((t.percent or (t.amount * 100 / contract.amount) for t in terms), ZERO).quantize(Decimal("0.01"))


def progress_cap(project: Project, contract: Contract, *, exclude_payment_id=None) -> dict:
    """What a progress payment may be now: the work done × the contract's rate, less the
    progress payments holding, within the contract's progress terms."""
    fig = selectors.figures(project, exclude_payment_id=exclude_payment_id)
    rate = contract_rate(contract)
    held = selectors._sum(project.payments.filter(status__in=ProgressPayment.HOLDING).exclude(pk=exclude_payment_id or 0))
    terms_total = selectors._sum(contract.terms.filter(is_active=True, kind=PaymentTerm.Kind.PROGRESS))
    by_work = round_money(fig.work_done * rate / 100)
    return {"rate": rate, "work_done": fig.work_done, "by_work": by_work, "terms": terms_total, "held": held,
            "left": max(ZERO, min(by_work, terms_total) - held), "figures": fig}


def progress_payment_start(*, project: Project, actor, amount, invoice_number: str) -> ProgressPayment:
    _writer(actor)
    amount = _money(amount, _("payment amount"))
    invoice_number = "".join((invoice_number or "").split())
    if not invoice_number:
        raise ConstructionError(_("Give the invoice number."), code="invoice_required")
    matter = _matter(MATTER_PAYMENT)
    with transaction.atomic():
        project = _lock(project)
        _need(project, PS.BUILDING, PS.COMPLETED, PS.SETTLED, what=_("A progress payment"))
        contract = selectors.construction_contract(project)
        if contract is None:
            raise ConstructionError(_("A progress payment needs the construction contract."), code="no_construction_contract")
        report = project.progress.order_by("-reported_on", "-id").first()
        if report is None:
            raise ConstructionError(_("A progress payment needs a progress report with the value of work done."),
                                    code="no_progress")
        _check_progress(project, contract, amount)
        case = approval_services.case_create(matter=matter, applicant=actor, amount=amount,
                                             title=_("Progress payment: %(name)s") % {"name": project.name})
        payment = ProgressPayment.objects.create(project=project, contract=contract, case=case, report=report,
                                                 amount=amount, invoice_number=invoice_number)
    return payment


def _check_progress(project: Project, contract: Contract, amount: Decimal, *, exclude_payment_id=None) -> list[str]:
    cap = progress_cap(project, contract, exclude_payment_id=exclude_payment_id)
    if cap["rate"] <= 0:
        raise ConstructionError(_("Contract %(number)s has no progress-payment terms; progress payments follow the "
                                  "contract's terms.") % {"number": contract.number}, code="no_progress_terms")
    if cap["held"] + amount > cap["by_work"]:
        raise ConstructionError(
            _("Refused: progress payments would reach %(total)s, above %(rate)s%% of the work done %(work)s (%(cap)s, "
              "财建〔2022〕183号 and the contract's terms).")
            % {"total": format_yuan(cap["held"] + amount), "rate": cap["rate"], "work": format_yuan(cap["work_done"]),
               "cap": format_yuan(cap["by_work"])}, code="above_work_done")
    if cap["held"] + amount > cap["terms"]:
        raise ConstructionError(
            _("Refused: progress payments would reach %(total)s, above the contract's progress terms %(terms)s.")
            % {"total": format_yuan(cap["held"] + amount), "terms": format_yuan(cap["terms"])}, code="above_terms")
    fig = cap["figures"]
    contract_held = selectors._sum(ContractPayment.objects.filter(contract=contract, status__in=ContractPayment.HOLDING))
    if contract_held + cap["held"] + amount > contract.amount:
        raise ConstructionError(_("Refused (CON-01): payments would exceed the contract amount %(amount)s.")
                                % {"amount": format_yuan(contract.amount)}, code="above_contract")
    if project.approved_budget is not None and fig.paid + fig.in_flight + amount > project.approved_budget:
        raise ConstructionError(
            _("Refused (ENG-03, %(rule)s): payments would reach %(total)s, above the approved 概算 %(cap)s.")
            % {"rule": R_ESTIMATE, "total": format_yuan(fig.paid + fig.in_flight + amount),
               "cap": format_yuan(project.approved_budget)}, code="over_budget")
    share = selectors.limit(Limit.Kind.PROGRESS_SHARE)
    if cap["rate"] < share.value:
        return [_("The contract's progress rate %(rate)s%% is below the %(share)s%% of the work done that %(rule)s asks for.")
                % {"rate": cap["rate"], "share": share.value, "rule": share.regulation}]
    return []


def _payment_of(case: Case) -> ProgressPayment:
    return ProgressPayment.objects.select_for_update(of=("self",)).get(case=case)


def progress_payment_submit(*, case: Case) -> list[str]:
    payment = _record_of(ProgressPayment, case)
    project = _lock(payment.project)
    payment = _payment_of(case)
    contract = Contract.objects.select_for_update(of=("self",)).get(pk=payment.contract_id)
    warnings = _check_progress(project, contract, payment.amount, exclude_payment_id=payment.pk)
    payment.transition(ProgressPayment.Status.SUBMITTED)
    return warnings


def progress_payment_approved(*, case: Case) -> None:
    _payment_of(case).transition(ProgressPayment.Status.APPROVED)


def progress_payment_reopen(*, case: Case) -> None:
    _payment_of(case).transition(ProgressPayment.Status.DRAFT)


def progress_payment_cancel(*, case: Case) -> None:
    _payment_of(case).transition(ProgressPayment.Status.CANCELLED)


# --- completion, settlement, final accounts, handover -------------------------------------------------
def project_complete(*, project: Project, actor, completed_on: dt.date) -> Project:
    """竣工验收 recorded: needs the construction contract and the acceptance report."""
    _writer(actor)
    with transaction.atomic():
        project = _lock(project)
        _need(project, PS.BUILDING, what=_("Completion acceptance"))
        if selectors.construction_contract(project) is None:
            raise ConstructionError(_("Refused (%(rule)s): completion acceptance needs the project's construction contract.")
                                    % {"rule": R_COMPLETION}, code="no_construction_contract")
        if completed_on > timezone.localdate() or (project.started_on and completed_on < project.started_on):
            raise ConstructionError(_("The completion date must lie between the start of construction and today."),
                                    code="date")
        if not documents_of(project, DocKind.COMPLETION).exists():
            raise ConstructionError(_("Attach the completion acceptance report to the project first."),
                                    code="completion_report")
        project.transition(PS.COMPLETED, completed_on=completed_on)
        months = selectors.limit(Limit.Kind.FINAL_ACCOUNTS_MONTHS, on=completed_on)
        FinalAccounts.objects.create(project=project, due_on=months_after(completed_on, int(months.value)))
        events.emit("project.completed", project_id=project.pk)
    return project


def _settlement_checks(project: Project, *, amount: Decimal, audited: Decimal, retention: Decimal) -> None:
    if audited > amount:
        raise ConstructionError(_("Refused: the audited amount %(audited)s cannot be above the settlement submitted "
                                  "%(amount)s.") % {"audited": format_yuan(audited), "amount": format_yuan(amount)},
                                code="audited_above_settlement")
    limit = selectors.limit(Limit.Kind.RETENTION_SHARE)
    most = round_money(audited * limit.value / 100)
    if retention > most:
        raise ConstructionError(
            _("Refused (CON-08, %(rule)s): retention money %(retention)s is above %(share)s%% of the settlement "
              "(%(most)s).") % {"rule": limit.regulation, "retention": format_yuan(retention), "share": limit.value,
                                "most": format_yuan(most)}, code="retention_above")
    if project.approved_budget is not None and audited > project.approved_budget:
        raise ConstructionError(
            _("Refused (ENG-03, %(rule)s): the audited settlement %(audited)s is above the approved 概算 %(cap)s; the 概算 "
              "adjustment must be approved first.") % {"rule": R_ESTIMATE, "audited": format_yuan(audited),
                                                       "cap": format_yuan(project.approved_budget)}, code="over_budget")


def settlement_start(*, project: Project, actor, amount, audited_amount, retention, defects_until: dt.date,
                     auditor: str) -> Settlement:
    _writer(actor)
    amount = _money(amount, _("settlement amount"))
    audited = _money(audited_amount, _("audited amount"))
    retention = round_money(retention or 0)
    if retention < 0:
        raise ConstructionError(_("Retention money cannot be negative."), code="retention_negative")
    if not (auditor or "").strip():
        raise ConstructionError(_("Name the audit firm."), code="auditor_required")
    matter = _matter(MATTER_SETTLEMENT)
    with transaction.atomic():
        project = _lock(project)
        _need(project, PS.COMPLETED, what=_("Settlement review"))
        if Settlement.objects.filter(project=project).exclude(status=Settlement.Status.CANCELLED).exists():
            raise ConstructionError(_("The project's settlement is already filed."), code="settlement_twice")
        Settlement.objects.filter(project=project, status=Settlement.Status.CANCELLED).delete()
        _settlement_checks(project, amount=amount, audited=audited, retention=retention)
        case = approval_services.case_create(matter=matter, applicant=actor, amount=audited,
                                             title=_("Settlement review: %(name)s") % {"name": project.name})
        settlement = Settlement.objects.create(project=project, case=case, amount=amount, audited_amount=audited,
                                               retention=retention, defects_until=defects_until, auditor=auditor.strip())
    return settlement


def settlement_submit(*, case: Case) -> list[str]:
    s = _record_of(Settlement, case)
    project = _lock(s.project)
    _need(project, PS.COMPLETED, what=_("Settlement review"))
    _settlement_checks(project, amount=s.amount, audited=s.audited_amount, retention=s.retention)
    s = Settlement.objects.select_for_update().get(pk=s.pk)
    s.transition(Settlement.Status.IN_APPROVAL)
    return []


def settlement_approved(*, case: Case) -> None:
    s = Settlement.objects.select_for_update().get(case=case)
    project = _lock(s.project)
    s.transition(Settlement.Status.APPROVED, approved_on=timezone.localdate())
    project.transition(PS.SETTLED)
    events.emit("project.settled", project_id=project.pk)


def settlement_reopen(*, case: Case) -> None:
    transition_all(Settlement.objects.filter(case=case), Settlement.Status.DRAFT)


def settlement_cancel(*, case: Case) -> None:
    Settlement.objects.select_for_update().get(case=case).transition(Settlement.Status.CANCELLED)


def final_accounts_approve(*, project: Project, actor, total_cost, approved_on: dt.date) -> FinalAccounts:
    """竣工财务决算 approved: the project closes; cards carded at an estimate take their share of
    the final cost."""
    _writer(actor)
    total = _money(total_cost, _("total cost"))
    with transaction.atomic():
        project = _lock(project)
        _need(project, PS.SETTLED, what=_("Final accounts"))
        if project.approved_budget is not None and total > project.approved_budget:
            raise ConstructionError(_("Refused (ENG-03, %(rule)s): the final cost %(total)s is above the approved 概算 "
                                      "%(cap)s.") % {"rule": R_ESTIMATE, "total": format_yuan(total),
                                                     "cap": format_yuan(project.approved_budget)}, code="over_budget")
        if approved_on > timezone.localdate():
            raise ConstructionError(_("The approval date cannot be in the future."), code="future")
        fa = FinalAccounts.objects.select_for_update().get(project=project)
        fa.total_cost, fa.approved_on = total, approved_on
        fa.save(update_fields=["total_cost", "approved_on"])
        project.transition(PS.CLOSED)
        funding.release(project, actor=actor, note=_("Released: the project's final accounts are approved"))
        _adjust_cards(project, total)
        events.emit("project.closed", project_id=project.pk)
    return fa


def _adjust_cards(project: Project, total: Decimal) -> None:
    cards = [c for c in asset_services.cards_of("construction.project", project.pk) if c.estimated]
    if not cards:
        return
    base = sum((c.value for c in cards), ZERO)
    left = total
    for i, card in enumerate(cards):
        value = left if i == len(cards) - 1 else round_money(total * card.value / base)
        left -= value
        asset_services.asset_card_adjust(card=card, value=value)


def final_accounts_remind(*, today: dt.date | None = None, days: int = 15) -> int:
    """Remind the project's applicant once when the final accounts fall due within ``days`` or
    are overdue (财建〔2016〕503号: within 3 months of completion). Idempotent."""
    today = today or timezone.localdate()
    n = 0
    due = FinalAccounts.objects.filter(approved_on__isnull=True, reminded_on__isnull=True,
                                       due_on__lte=today + dt.timedelta(days=days)).select_related("project__case")
    for fa in due:
        with transaction.atomic():
            claimed = FinalAccounts.objects.filter(pk=fa.pk, reminded_on__isnull=True).update(reminded_on=today)
            if not claimed:
                continue
            approval_services.notify([fa.project.created_by], fa.project.case, _(
                "The final accounts of %(number)s %(name)s are due on %(date)s (财建〔2016〕503号: within 3 months of "
                "completion).") % {"number": fa.project.number, "name": fa.project.name, "date": fa.due_on})
            n += 1
    return n


def project_handover(*, project: Project, actor, handed_over_on: dt.date, receiving_unit, items: list[dict]) -> Handover:
    """交付使用: the asset cards of the project; before the final accounts at an estimate (the
    audited settlement, else the 概算), adjusted when they are approved."""
    _writer(actor)
    with transaction.atomic():
        project = _lock(project)
        if project.status not in (PS.COMPLETED, PS.SETTLED, PS.CLOSED) or project.completed_on is None:
            raise ConstructionError(_("Refused (%(rule)s): a project is handed over only after its completion acceptance.")
                                    % {"rule": R_COMPLETION}, code="not_completed")
        if Handover.objects.filter(project=project).exists():
            raise ConstructionError(_("The project has already been handed over."), code="handed_over")
        if handed_over_on < project.completed_on or handed_over_on > timezone.localdate():
            raise ConstructionError(_("The handover date must lie between the completion and today."), code="date")
        rows = [r for r in items if r.get("name")]
        if not rows:
            raise ConstructionError(_("List at least one asset handed over."), code="items_required")
        total = sum((_money(r.get("value"), _("asset value")) for r in rows), ZERO)
        closed = project.status == PS.CLOSED
        if closed:
            basis = project.final_accounts.total_cost
        else:
            s = Settlement.objects.filter(project=project, status=Settlement.Status.APPROVED).first()
            basis = s.audited_amount if s else project.approved_budget
        if basis is not None and total > basis:
            raise ConstructionError(_("The assets (%(total)s) add up to more than the project's cost basis %(basis)s.")
                                    % {"total": format_yuan(total), "basis": format_yuan(basis)}, code="above_cost")
        handover = Handover.objects.create(project=project, handed_over_on=handed_over_on, receiving_unit=receiving_unit,
                                           before_final_accounts=not closed, created_by=actor)
        for r in rows:
            asset_services.asset_card_create(
                name=r["name"], asset_class=r.get("asset_class") or "", value=r["value"], unit=receiving_unit,
                acquired_on=handed_over_on, source_kind="construction.project", source_id=project.pk,
                source_ref=project.number, location=project.location, actor=actor, estimated=not closed)
        project.handed_over_on = handed_over_on
        project.save(update_fields=["handed_over_on", "updated_at"])
        events.emit("project.handed_over", project_id=project.pk)
    return handover
