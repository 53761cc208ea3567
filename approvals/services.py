"""Writes of the approvals app: one function per transition, each checking the current
state under a row lock and appending to the trail in the same transaction.

Lock order (every transaction of the system takes its locks in this order, so two of them
can never wait on each other in opposite orders):

1. the case row (``_lock``: ``SELECT ... FOR UPDATE OF`` the case alone), then its route
   step and assignee rows (ordered by id);
2. number sequences (``core.sequences``: one ``core.Sequence`` row), held only for the increment;
3. business rows, through the section hooks: the stage record (purchase, award, contract,
   acceptance, supplement, payment) of this case, then shared rows in id order — budget
   lines (``budget.services``, sorted by id), the contract of a payment, the supplier;
4. last, the trail's advisory lock (``trail._flush``), after ``SET CONSTRAINTS ALL
   IMMEDIATE`` has run every deferred foreign-key check (a deferred check at commit would
   otherwise lock a budget line after the trail lock: the deadlock of a burst of new forms).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import events, sequences
from core.money import AmountError, parse_amount
from core.workcalendar import WorkCalendar
from documents import services as document_services
from org.models import Role, User

from . import registry, rules, trail
from .exceptions import ApprovalError, RouteUnresolved, StaleAction
from .models import (
    Action,
    Case,
    CaseCopy,
    CaseStage,
    Matter,
    Notification,
    RouteStep,
    StepAssignee,
    StepKind,
    StepMode,
)
from .permissions import delegation_scopes, grant_view
from .money import format_yuan
from .routing import resolve_route, select_policy

S = Case.Status


# --- validation helpers --------------------------------------------------------------
def clean_amount(value, *, required: bool) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise ApprovalError(_("This matter needs an amount."), code="amount_required")
        return None
    try:
        return parse_amount(value)
    except AmountError as e:
        raise ApprovalError(str(e), code=f"amount_{e.code}") from None


RESUBMIT_NOTE_MAX = 2000


def clean_resubmit_note(note) -> str:
    """The applicant's note on a resubmission (修改说明): optional, at most 2000 characters."""
    note = (note or "").strip()
    if len(note) > RESUBMIT_NOTE_MAX:
        raise ApprovalError(
            _("The note on the changes may have at most %(n)d characters.") % {"n": RESUBMIT_NOTE_MAX},
            code="note_too_long",
        )
    return note


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ApprovalError(_("Please give the form a title."), code="title_required")
    if len(title) > 200:
        raise ApprovalError(_("The title may have at most 200 characters."), code="title_too_long")
    return title


def next_number(year: int, category: str) -> str:
    """XQ-2026-CW-00042: per year and category, from ``core.sequences`` (row lock, no gaps).
    Issued inside the first submission's transaction (``case_submit``): a refused submission
    rolls the counter back with everything else."""
    return f"XQ-{year}-{category}-{sequences.next_number(f'case:{category}', year):05d}"


def notify(users, case: Case | None, text: str, *, event: str = "") -> None:
    """Tell people something about a case: one notice per person, and per case and event
    (``waiting``, ``returned``, ...) one unread notice — a later event of the same kind
    while the earlier notice is unread brings that notice up to date instead of adding a
    copy (a person holding the finance step of every stage was told five times that the
    same form waited for them). The database enforces it (``notification_unread_once``)."""
    seen, people = set(), []
    for u in users:
        if u is not None and u.pk not in seen:  # a unit head who is also the applicant: told once
            seen.add(u.pk)
            people.append(u)
    text = text[:300]
    if not people:
        return
    if case is not None and event:
        now = timezone.now()
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO approvals_notification (user_id, case_id, event, text, created_at) "
                "SELECT u, %s, %s, %s, %s FROM unnest(%s::bigint[]) AS u "
                "ON CONFLICT (user_id, case_id, event) WHERE (read_at IS NULL AND NOT (event = '')) "
                "DO UPDATE SET text = EXCLUDED.text, created_at = EXCLUDED.created_at",
                [case.pk, event, text, now, [u.pk for u in people]],
            )
    else:
        Notification.objects.bulk_create([Notification(user=u, case=case, text=text, event=event) for u in people])
    if settings.EMAIL_HOST:
        recipients = [u.email for u in people if u.email]
        if recipients:
            transaction.on_commit(
                lambda: send_mail(text[:100], text, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True)
            )


def store_upload(f, facts: dict) -> dict:
    """Write an uploaded file to storage before any transaction (content-addressed name), so
    no lock is held during file I/O. Returns what ``attach_stored`` needs."""
    return document_services.store(f, facts)


def attach_stored(case: Case, stored: list[tuple[str, dict]], actor: User) -> None:
    """The case's document rows for files already stored; each recorded in the trail with its hash."""
    for kind, facts in stored:
        document_services.record(owner=case, stored=facts, kind=kind, actor=actor)
        trail.append(
            case, Action.Kind.ATTACH, actor=actor,
            comment=f"{kind}: {facts['original_name']} sha256={facts['sha256']}",
        )


_DOCUMENT_EVENTS = {"added": Action.Kind.ATTACH, "replaced": Action.Kind.REPLACE_FILE, "removed": Action.Kind.REMOVE_FILE}


def case_document_changed(*, case: Case, event: str, document, previous=None, actor: User, label: str = "") -> None:
    """The trail entry of a file of the form (or of a record of one of its stages, named by
    ``label``) added, replaced or removed; written inside the change's transaction."""
    label = label or document.kind
    if event == "replaced":
        comment = (f"{label}: {previous.original_name} → {document.original_name} sha256={document.sha256} "
                   f"(sha256={previous.sha256})")
    else:
        comment = f"{label}: {document.original_name} sha256={document.sha256}"
        if event == "removed" and previous is not None:
            comment += "; " + _("the earlier version is current again: %(name)s") % {"name": previous.original_name}
    trail.append(case, _DOCUMENT_EVENTS[event], actor=actor, comment=comment)


def _lock(case: Case) -> Case:
    """Re-read the case under a row lock; every transition starts here."""
    # of=("self",): lock the case row only, not the matter, unit and applicant joined in
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("matter", "unit", "applicant")
        .get(pk=case.pk)
    )



# --- create / edit --------------------------------------------------------------------
def _require_writer(actor: User | None) -> None:
    if actor is not None and actor.changes_nothing:
        raise ApprovalError(_("Supervisors read every case but change nothing."), code="read_only")


def case_create(*, matter: Matter, applicant: User, title: str, reason: str = "", amount=None, unit=None) -> Case:
    _require_writer(applicant)
    if not matter.is_active:
        raise ApprovalError(_("This matter is not in use any more."))
    unknown = registry.unknown_stages(matter.stages)
    if unknown:
        raise ApprovalError(
            _("This matter names a stage the system does not know (%(keys)s); ask the administrator to correct the "
              "matter catalogue.") % {"keys": "、".join(unknown)},
            code="unknown_stage",
        )
    unit = unit or applicant.unit
    if unit is None:
        raise ApprovalError(_("You belong to no unit; ask the administrator to assign you one."))
    amount = clean_amount(amount, required=matter.amount_required or matter.spends_money)
    title = _clean_title(title)
    now = timezone.now()
    year = timezone.localdate(now).year
    with transaction.atomic(), trail.recording():
        case = Case.objects.create(
            year=year,
            matter=matter,
            category=matter.category,
            unit=unit,
            applicant=applicant,
            title=title,
            reason=reason or "",
            amount=amount,
            stages=list(matter.stages),
            created_at=now,
        )
        trail.append(case, Action.Kind.CREATE, actor=applicant)
    return case


def case_file(
    *, matter: Matter, applicant: User, title: str, reason: str = "", amount=None,
    section: registry.CaseSection | None = None, section_form=None, stored=(),
) -> Case:
    """File a new form in one transaction: the case, its first stage's section (the section's
    validated form) and the materials already stored (``store_upload``). A refusal of any part
    leaves nothing saved."""
    with transaction.atomic(), trail.recording():
        case = case_create(matter=matter, applicant=applicant, title=title, reason=reason, amount=amount)
        if section is not None and section_form is not None:
            section.save(case, section_form, applicant)
        attach_stored(case, list(stored), applicant)
    return case


def case_save(
    *, case: Case, actor: User, title: str, reason: str = "", amount=None,
    section: registry.CaseSection | None = None, section_form=None, stored=(),
) -> Case:
    """Save a draft or a returned form in one transaction: the header, the current stage's
    section and new materials."""
    with transaction.atomic(), trail.recording():
        case = case_update(case=case, actor=actor, title=title, reason=reason, amount=amount)
        if section is not None and section_form is not None:
            section.save(case, section_form, actor)
        attach_stored(case, list(stored), actor)
    return case


def case_delete_draft(*, case: Case, actor: User) -> Case:
    """The applicant deletes a draft that was never submitted. The trail is append-only, so
    the case stays as a deleted record (hidden from the lists) and its files are removed;
    a form that was ever submitted is refused, nothing changed."""
    with transaction.atomic(), trail.recording():
        case = _lock(case)
        if case.applicant_id != actor.pk:
            raise ApprovalError(_("Only the applicant may delete the draft."), code="not_applicant")
        if case.status != S.DRAFT or case.submitted_at is not None or case.round > 0 or case.number:
            raise ApprovalError(
                _("Only a draft that was never submitted can be deleted; a submitted form stays on record "
                  "(withdraw it instead)."),
                code="was_submitted",
            )
        for section in registry.sections_for(case):
            section.on_withdrawn(case, actor)
        document_services.remove_all(case)
        case.status = S.DELETED
        case.finished_at = timezone.now()
        case.save(update_fields=["status", "finished_at", "updated_at"])
        trail.append(case, Action.Kind.DELETE, actor=actor)
    return case


def case_update(*, case: Case, actor: User, title: str, reason: str = "", amount=None) -> Case:
    with transaction.atomic(), trail.recording():
        case = _lock(case)
        if case.applicant_id != actor.pk:
            raise ApprovalError(_("Only the applicant may change the form."))
        if case.status not in (S.DRAFT, S.RETURNED):
            raise StaleAction(_("The form is in approval and cannot be changed now."))
        matter = case.matter
        if case.stage > 0:
            new = (_clean_title(title), reason or "", clean_amount(amount, required=matter.amount_required or matter.spends_money))
            if new != (case.title, case.reason, case.amount):
                raise ApprovalError(
                    _("The header was approved with the first stage and cannot change now; file a new form or an adjustment."),
                    code="header_frozen",
                )
            return case
        case.title = _clean_title(title)
        case.reason = reason or ""
        case.amount = clean_amount(amount, required=matter.amount_required or matter.spends_money)
        case.save(update_fields=["title", "reason", "amount", "updated_at"])
        trail.append(case, Action.Kind.EDIT, actor=actor)
    return case


# --- stage amounts ----------------------------------------------------------------------
def approved_ceiling(case: Case) -> tuple[Decimal, CaseStage] | None:
    """The lowest amount an earlier stage of the case approved (the award cannot exceed the
    estimate, the contract the award), with that stage's record; None before any."""
    rows = [r for r in CaseStage.objects.filter(case=case, stage__lt=case.stage, status=CaseStage.Status.APPROVED)
            if r.amount is not None]
    if not rows:
        return None
    row = min(rows, key=lambda r: (r.amount, -r.stage))
    return row.amount, row


def stage_amount(case: Case) -> Decimal | None:
    """The amount the current stage decides: the section's own (award, contract, payment,
    supplement's new total), else what the earlier stages approved, else the header's."""
    section = registry.current_section(case)
    value = section.stage_amount(case) if section else None
    if value is not None:
        return Decimal(value)
    ceiling = approved_ceiling(case)
    return ceiling[0] if ceiling else case.amount


def _stage_label(key: str | None) -> str:
    section = registry.get(key) if key else None
    return str(section.label) if section else (key or "")


def stage_amount_checked(case: Case) -> Decimal | None:
    """The stage's amount, refused when it is above what an earlier stage approved — unless
    the section allows a higher amount, which is then routed at the tier of the new amount."""
    amount = stage_amount(case)
    ceiling = approved_ceiling(case)
    section = registry.current_section(case)
    if amount is not None and ceiling is not None and amount > ceiling[0] and not (section and section.amount_may_grow):
        approved, row = ceiling
        raise ApprovalError(
            _("The %(stage)s decides %(amount)s, more than the %(approved)s approved at the stage “%(earlier)s”. "
              "A stage cannot outgrow its approval: lower the amount, or file a new form (or a budget adjustment) "
              "for the difference. Nothing was submitted.") % {
                "stage": _stage_label(case.stage_key), "amount": format_yuan(amount),
                "approved": format_yuan(approved), "earlier": _stage_label(row.key),
            },
            code="amount_above_approval",
        )
    return amount


def _record_stage(case: Case, amount, actor) -> None:
    """Record what the stage decides and let earlier sections (the budget) follow it."""
    now = timezone.now()
    CaseStage.objects.update_or_create(
        case=case, stage=case.stage,
        defaults={"key": case.stage_key or "", "amount": amount, "policy": case.policy,
                  "status": CaseStage.Status.SUBMITTED, "submitted_at": now, "approved_at": None},
    )
    section = registry.current_section(case)
    if case.stage > 0 and amount is not None and section is not None and section.stage_amount(case) is not None:
        for earlier in registry.sections_for(case)[:-1]:
            earlier.on_stage_amount(case, amount, actor)


def _close_stage(case: Case, status: str) -> None:
    fields = {"status": status}
    if status == CaseStage.Status.APPROVED:
        fields["approved_at"] = timezone.now()
    CaseStage.objects.filter(case=case, stage=case.stage).update(**fields)


# --- route ------------------------------------------------------------------------------
def _resolve_checked(case: Case, *, tell_admins: bool, amount=None):
    """The policy tier and its steps resolved to people, or RouteUnresolved. With
    ``tell_admins`` the administrators get a notice (call it outside the transaction that
    is about to fail, so the notice survives the refusal)."""
    if amount is None:
        amount = stage_amount(case)
    policy, steps = resolve_route(matter=case.matter, unit=case.unit, applicant=case.applicant, amount=amount,
                                  stage=case.stage_key or "", case=case)
    problem = None
    if policy is None:
        problem = (_("No approval policy covers matter %(matter)s.") % {"matter": case.matter.name}, "no_policy")
    else:
        errors = [s.error for s in steps if s.error]
        if errors and policy.on_unresolved == policy.Unresolved.REFUSE:
            problem = ("；".join(errors), "unresolved")
        elif steps and not any(s.users or s.error for s in steps):
            # every step is held by the applicant alone: nobody else would decide
            problem = (_("Every step of the route is held by the applicant; nobody else would approve."), "only_applicant")
    if problem:
        text, code = problem
        if tell_admins:
            _tell_admins(case, _("Form %(number)s could not be routed: %(errors)s") % {"number": case.number or case.title, "errors": text})
        raise RouteUnresolved(
            _("The form cannot be routed: %(errors)s The administrator has been told.") % {"errors": text}, code=code
        )
    return policy, steps


def _build_route(case: Case, amount=None) -> None:
    """Copy the policy tier into the case's own route and resolve people now."""
    policy, steps = _resolve_checked(case, tell_admins=False, amount=amount)
    admins = list(User.objects.with_role(Role.ADMIN))
    # A rebuilt route supersedes the old one; the old steps stay (the trail points at them).
    _close_open_steps(case, RouteStep.Status.CANCELLED)
    case.route_version += 1
    case.policy = policy
    if not steps:
        # the administrator's tier for this stage has no steps: the stage is filed (备案) and
        # passes on submission, which the trail says
        trail.append(case, Action.Kind.AUTO_PASS, comment=_(
            "Tier “%(tier)s” of this stage needs no approval: the stage is filed and passes on submission.")
            % {"tier": policy.name})
    for s in steps:
        users = s.users
        if s.error:  # policy says: send the step to the administrators
            users = [u for u in admins if u.pk != case.applicant_id]
            if not users:
                raise RouteUnresolved(_("The form cannot be routed: %(errors)s") % {"errors": s.error})
        rs = RouteStep.objects.create(
            case=case,
            stage=case.stage,
            version=case.route_version,
            order=s.order,
            name=s.name,
            kind=s.kind,
            mode=s.mode,
            time_limit_hours=s.time_limit_hours,
            status=RouteStep.Status.CANCELLED if s.skipped_applicant else RouteStep.Status.PENDING,
        )
        if s.skipped_applicant:
            trail.append(case, Action.Kind.AUTO_PASS, step=rs, comment=_("The applicant holds this step; nobody approves their own form, so it passes to the next step."))
        StepAssignee.objects.bulk_create([StepAssignee(step=rs, user=u, round=case.round) for u in users])


def _tell_admins(case: Case, text: str) -> None:
    notify(list(User.objects.with_role(Role.ADMIN)), case, text, event="unroutable")


def _current_assignees(step: RouteStep, round_: int):
    return list(step.assignees.filter(round=round_).select_related("user"))


def _activate(case: Case, step: RouteStep, *, previous_approver_id: int | None) -> bool:
    """Make the step current. Returns True if it completed at once (auto-passed)."""
    now = timezone.now()
    step.status = RouteStep.Status.ACTIVE
    step.activated_at = now
    step.last_urged_at = None
    step.save(update_fields=["status", "activated_at", "last_urged_at"])
    case.current_step = step
    case.current_since = now
    assignees = _current_assignees(step, case.round)
    grant_view(case, [a.user for a in assignees])
    # The same person twice in a row: the second time is recorded as auto-passed.
    # (Never for a collective decision: the meeting itself must be recorded.)
    if (
        previous_approver_id
        and step.kind != StepKind.COLLECTIVE
        and any(a.user_id == previous_approver_id for a in assignees)
    ):
        for a in assignees:
            if a.user_id == previous_approver_id:
                a.decision = StepAssignee.Decision.AUTO_PASSED
                a.decided_by_id = previous_approver_id
                a.decided_at = now
                a.save(update_fields=["decision", "decided_by", "decided_at"])
        trail.append(
            case,
            Action.Kind.AUTO_PASS,
            step=step,
            comment=_("Same approver as the previous step: passed automatically."),
        )
        if _step_complete(step, case.round):
            step.status = RouteStep.Status.AUTO_PASSED
            step.completed_at = now
            step.save(update_fields=["status", "completed_at"])
            return True
    section = registry.current_section(case)
    if section is not None:
        text = _("Waiting for your approval: %(number)s %(title)s (%(stage)s)") % {
            "number": case.number, "title": case.title, "stage": section.label}
    else:
        text = _("Waiting for your approval: %(number)s %(title)s") % {"number": case.number, "title": case.title}
    notify([a.user for a in assignees if not a.decision], case, text, event="waiting")
    return False


def _step_complete(step: RouteStep, round_: int) -> bool:
    decisions = list(
        step.assignees.filter(round=round_)
        .exclude(decision=StepAssignee.Decision.HANDED_OVER)
        .values_list("decision", flat=True)
    )
    done = [d for d in decisions if d in (StepAssignee.Decision.APPROVED, StepAssignee.Decision.AUTO_PASSED)]
    if step.mode == StepMode.ALL:
        return len(done) == len(decisions)
    return bool(done)


def _advance(case: Case, actor: User | None, *, from_order: int, previous_approver_id: int | None) -> None:
    """Activate the next pending step after ``from_order``, or finish the stage."""
    while True:
        nxt = (
            RouteStep.objects.filter(
                case=case, stage=case.stage, version=case.route_version, order__gt=from_order, status=RouteStep.Status.PENDING
            )
            .order_by("order")
            .first()
        )
        if nxt is None:
            _finish_stage(case, actor)
            return
        if not _activate(case, nxt, previous_approver_id=previous_approver_id):
            case.save(update_fields=["current_step", "current_since", "updated_at"])
            return
        from_order = nxt.order


def _finish_stage(case: Case, actor: User | None) -> None:
    now = timezone.now()
    section = registry.current_section(case)
    if section:
        section.on_approved(case, actor)
    _close_stage(case, CaseStage.Status.APPROVED)
    case.current_step = None
    case.current_since = None
    if case.stage + 1 < len(case.stage_list):
        case.stage += 1
        case.status = S.DRAFT
        case.save(update_fields=["stage", "status", "current_step", "current_since", "updated_at"])
        trail.append(case, Action.Kind.STAGE)
        notify([case.applicant], case, _("Stage approved; please fill in the next stage of %(number)s.") % {"number": case.number},
               event="fill")
        return
    case.status = S.APPROVED
    case.finished_at = now
    case.save(update_fields=["status", "current_step", "current_since", "finished_at", "updated_at"])
    trail.append(case, Action.Kind.FINISH)
    notify([case.applicant], case, _("Approved: %(number)s %(title)s") % {"number": case.number, "title": case.title},
           event="approved")
    events.emit("case.approved", case_id=case.pk, matter=case.matter.code, actor_id=actor.pk if actor else None)


def _check_attachments(case: Case) -> None:
    have = set(case.attachments.values_list("kind", flat=True))
    missing = [k for k in case.matter.required_attachments if k not in have]
    if missing:
        raise ApprovalError(
            _("Required attachments are missing: %(kinds)s.") % {"kinds": "、".join(missing)}, code="attachments_missing"
        )


def _run_submit_hooks(case: Case, actor: User) -> list[str]:
    warnings: list[str] = []
    section = registry.current_section(case)
    if section:
        warnings.extend(section.validate_submit(case, actor) or [])
        section.on_submit(case, actor)
    # the risk rules that can judge a draft (事前/事中), after the section's own hooks so they see
    # what the submission reserves: "block" refuses the whole submission (nothing of it is saved),
    # "warn" goes into the trail with the submission
    for rule, conf, finding in rules.draft_findings(case):
        if conf.mode == "block":
            raise ApprovalError(_("Refused by risk rule %(code)s: %(message)s") % {
                "code": rule.code, "message": finding.message}, code="risk_block")
        warnings.append(_("Risk rule %(code)s: %(message)s") % {"code": rule.code, "message": finding.message})
    return warnings


# --- transitions --------------------------------------------------------------------------
def case_submit(*, case: Case, actor: User) -> list[str]:
    """Submit a draft (or the next stage). Returns warnings recorded on submission."""
    if case.status == S.DRAFT and case.applicant_id == actor.pk:
        _resolve_checked(case, tell_admins=True, amount=stage_amount(case))
    with transaction.atomic(), trail.recording():
        case = _lock(case)
        if case.applicant_id != actor.pk:
            raise ApprovalError(_("Only the applicant may submit the form."))
        if case.status == S.RETURNED:
            raise StaleAction(_("The form was returned; use resubmit."))
        if case.status != S.DRAFT:
            raise StaleAction(_("The form has already been submitted."), code="already_submitted")
        if case.stage == 0:
            _check_attachments(case)
        case.round += 1
        case.status = S.IN_PROGRESS
        case.submitted_at = case.submitted_at or timezone.now()
        case.return_reason = ""
        amount = stage_amount(case)
        _build_route(case, amount)
        if not case.number:
            # the first submission issues the number, inside this transaction (lock order: after
            # the case and its steps, before the section's business rows): a refusal below rolls
            # the counter back, so refused submissions leave no gaps
            case.year = timezone.localdate(case.submitted_at).year
            case.number = next_number(case.year, case.category)
        case.save()
        warnings = _run_submit_hooks(case, actor)  # a section's own refusal (CON-09) speaks first
        stage_amount_checked(case)  # then the engine's: no stage outgrows an earlier approval
        _record_stage(case, amount, actor)  # after the section's own rows: the lock order above
        trail.append(case, Action.Kind.SUBMIT, actor=actor, comment="\n".join(warnings))
        _advance(case, actor, from_order=-1, previous_approver_id=None)  # activate the first step
        return warnings


def _holding_assignee(case: Case, step: RouteStep, actor: User) -> tuple[StepAssignee, User | None]:
    """The assignee row the actor decides for, and the person they stand in for (or None).
    Every decision goes through here, so nobody decides on their own form — not even as a
    stand-in."""
    if actor.pk == case.applicant_id:
        raise ApprovalError(_("Nobody approves their own form."), code="own_form")
    rows = list(step.assignees.filter(round=case.round, decision="").order_by("id").select_for_update(of=("self",)))
    for row in rows:
        if row.user_id == actor.pk:
            return row, None
    principals = {p for p, category in delegation_scopes(actor) if not category or category == case.category}
    for row in rows:
        if row.user_id in principals:
            return row, row.user
    decided = step.assignees.filter(round=case.round, decided_by=actor).exists()
    if decided:
        raise StaleAction(_("You have already decided this step."), code="already_decided")
    raise StaleAction(_("This form is not waiting for you (it may have moved on). Reload the page."), code="not_holder")


def _decision_target(case: Case, step_id: int | None, round_: int | None = None) -> RouteStep:
    """The current step, under a lock. ``step_id`` and ``round_`` are what the person's page
    showed: if the form moved on — or came back to the same step in a new round, with
    content that may have changed — the page is stale and nothing is recorded."""
    if case.status != S.IN_PROGRESS or case.current_step_id is None:
        raise StaleAction(_("This form is not waiting for a decision any more."), code="not_in_progress")
    if (step_id is not None and int(step_id) != case.current_step_id) or (
        round_ is not None and int(round_) != case.round
    ):
        raise StaleAction(_("This form has moved on since you opened it. Reload the page."), code="stale_step")
    return RouteStep.objects.select_for_update(of=("self",)).get(pk=case.current_step_id)


def _record(case: Case, row: StepAssignee, decision: str, actor: User, comment: str, on_behalf_of) -> None:
    row.decision = decision
    row.decided_by = actor
    row.decided_at = timezone.now()
    row.comment = comment
    row.save(update_fields=["decision", "decided_by", "decided_at", "comment"])
    if on_behalf_of is not None:
        grant_view(case, [actor])  # a stand-in keeps sight of what they decided


from .documents import MINUTES_KIND  # noqa: E402  (one name for the kind)


def case_approve(
    *, case: Case, actor: User, comment: str = "", step_id: int | None = None, round_: int | None = None,
    meeting_date=None, meeting_name: str = "", minutes=None,
) -> Case:
    """Approve the current step. A collective-decision step (三重一大) records the meeting:
    its date and name, and its minutes uploaded with this decision (``minutes`` is a
    stored-file dict from ``store_upload``)."""
    with transaction.atomic(), trail.recording():
        case = _lock(case)
        step = _decision_target(case, step_id, round_)
        row, on_behalf_of = _holding_assignee(case, step, actor)
        now = timezone.now()
        if step.kind == StepKind.COLLECTIVE:
            if not meeting_date or not (meeting_name or "").strip():
                raise ApprovalError(
                    _("A collective decision records the meeting: give its date and name."), code="meeting_required"
                )
            if meeting_date > timezone.localdate(now):
                raise ApprovalError(_("The meeting date cannot be in the future."), code="meeting_future")
            if not minutes:
                raise ApprovalError(
                    _("Attach the meeting minutes (%(kind)s) with the decision.") % {"kind": MINUTES_KIND},
                    code="minutes_required",
                )
            attach_stored(case, [(MINUTES_KIND, minutes)], actor)
            step.meeting_date = meeting_date
            step.meeting_name = meeting_name.strip()[:100]
            step.save(update_fields=["meeting_date", "meeting_name"])
            comment = (comment + "\n" if comment else "") + _("Meeting: %(name)s on %(date)s") % {
                "name": step.meeting_name, "date": meeting_date.isoformat()
            }
        _record(case, row, StepAssignee.Decision.APPROVED, actor, comment, on_behalf_of)
        trail.append(case, Action.Kind.APPROVE, actor=actor, on_behalf_of=on_behalf_of, step=step, comment=comment)
        if _step_complete(step, case.round):
            step.status = RouteStep.Status.APPROVED
            step.completed_at = now
            step.save(update_fields=["status", "completed_at"])
            _advance(case, actor, from_order=step.order, previous_approver_id=actor.pk)
        else:
            case.save(update_fields=["updated_at"])
    return case


def _require_comment(comment: str, what: str) -> str:
    comment = (comment or "").strip()
    if not comment:
        raise ApprovalError(_("Please give a reason when you %(what)s.") % {"what": what}, code="comment_required")
    return comment


def _close_open_steps(case: Case, status: str) -> None:
    RouteStep.objects.filter(
        case=case, stage=case.stage, version=case.route_version, status__in=[RouteStep.Status.PENDING, RouteStep.Status.ACTIVE]
    ).update(
        status=status, completed_at=timezone.now()
    )


def case_reject(*, case: Case, actor: User, comment: str, step_id: int | None = None, round_: int | None = None) -> Case:
    comment = _require_comment(comment, _("reject"))
    with transaction.atomic(), trail.recording():
        case = _lock(case)
        step = _decision_target(case, step_id, round_)
        row, on_behalf_of = _holding_assignee(case, step, actor)
        now = timezone.now()
        _record(case, row, StepAssignee.Decision.REJECTED, actor, comment, on_behalf_of)
        step.status = RouteStep.Status.REJECTED
        step.completed_at = now
        step.save(update_fields=["status", "completed_at"])
        _close_open_steps(case, RouteStep.Status.CANCELLED)
        case.status = S.REJECTED
        case.current_step = None
        case.current_since = None
        case.finished_at = now
        case.save(update_fields=["status", "current_step", "current_since", "finished_at", "updated_at"])
        _close_stage(case, CaseStage.Status.CLOSED)
        for section in registry.sections_for(case):
            section.on_rejected(case, actor)
        trail.append(case, Action.Kind.REJECT, actor=actor, on_behalf_of=on_behalf_of, step=step, comment=comment)
        notify([case.applicant], case, _("Rejected: %(number)s — %(comment)s") % {"number": case.number, "comment": comment},
               event="rejected")
    return case


def case_return(*, case: Case, actor: User, comment: str, step_id: int | None = None, round_: int | None = None) -> Case:
    """回拨: back to the applicant with the reason; the case may come back."""
    comment = _require_comment(comment, _("return the form"))
    with transaction.atomic(), trail.recording():
        case = _lock(case)
        step = _decision_target(case, step_id, round_)
        row, on_behalf_of = _holding_assignee(case, step, actor)
        now = timezone.now()
        _record(case, row, StepAssignee.Decision.RETURNED, actor, comment, on_behalf_of)
        step.status = RouteStep.Status.RETURNED
        step.completed_at = now
        step.save(update_fields=["status", "completed_at"])
        case.status = S.RETURNED
        case.returned_from_order = step.order
        case.return_reason = comment
        case.current_step = None
        case.current_since = None
        case.save()
        for section in registry.sections_for(case):
            section.on_returned(case, actor)
        trail.append(case, Action.Kind.RETURN, actor=actor, on_behalf_of=on_behalf_of, step=step, comment=comment)
        events.emit("case.returned", case_id=case.pk, actor_id=actor.pk)
        notify([case.applicant], case, _("Returned to you: %(number)s — %(comment)s") % {"number": case.number, "comment": comment},
               event="returned")
    return case


def case_resubmit(*, case: Case, actor: User, comment: str = "") -> list[str]:
    """Resubmit after a return: back to the step that returned it, or from the start, as the
    matter says; if the amount now falls in another tier the route is rebuilt from the start.
    ``comment`` is the applicant's note on what they changed (修改说明, optional), shown to
    the approvers with the changes since the last round."""
    comment = clean_resubmit_note(comment)
    current = Case.objects.select_related("matter", "unit", "applicant", "policy").get(pk=case.pk)
    if current.status == S.RETURNED and current.applicant_id == actor.pk:
        amount = stage_amount(current)
        if select_policy(current.matter, amount, current.stage_key or "") != current.policy:
            # the amount moved to another tier: check the new route before the transaction,
            # so the administrators' notice survives a refusal
            _resolve_checked(current, tell_admins=True, amount=amount)
    with transaction.atomic(), trail.recording():
        case = _lock(case)
        if case.applicant_id != actor.pk:
            raise ApprovalError(_("Only the applicant may resubmit the form."))
        if case.status != S.RETURNED:
            raise StaleAction(_("Only a returned form can be resubmitted."), code="not_returned")
        if case.stage == 0:
            _check_attachments(case)
        case.round += 1
        case.status = S.IN_PROGRESS
        amount = stage_amount(case)
        tier_changed = select_policy(case.matter, amount, case.stage_key or "") != case.policy
        from_start = tier_changed or case.matter.resubmit_mode == Matter.Resubmit.FROM_START
        if tier_changed:
            _build_route(case, amount)
            start_order = 0
        else:
            start_order = 0 if from_start else (case.returned_from_order or 0)
            _new_round_from(case, start_order)
        case.returned_from_order = None
        case.save()
        warnings = _run_submit_hooks(case, actor)  # a section's own refusal (CON-09) speaks first
        stage_amount_checked(case)  # then the engine's: no stage outgrows an earlier approval
        _record_stage(case, amount, actor)  # after the section's own rows: the lock order above
        trail.append(case, Action.Kind.RESUBMIT, actor=actor, comment="\n".join(filter(None, [comment, *warnings])),
                     note=comment)
        _advance(case, actor, from_order=start_order - 1 if start_order else -1, previous_approver_id=None)
        return warnings


def _new_round_from(case: Case, start_order: int) -> None:
    """Open round ``case.round`` of the current route: steps from ``start_order`` on are
    decided afresh by the same people; earlier steps carry their decisions over."""
    for st in RouteStep.objects.filter(case=case, stage=case.stage, version=case.route_version):
        previous = list(st.assignees.filter(round=case.round - 1).exclude(decision=StepAssignee.Decision.HANDED_OVER))
        if not previous:
            continue  # a step skipped because the applicant holds it
        if st.order >= start_order:
            st.status = RouteStep.Status.PENDING
            st.activated_at = None
            st.completed_at = None
            st.save(update_fields=["status", "activated_at", "completed_at"])
            StepAssignee.objects.bulk_create([StepAssignee(step=st, user_id=r.user_id, round=case.round) for r in previous])
        else:
            StepAssignee.objects.bulk_create(
                [
                    StepAssignee(step=st, user_id=r.user_id, round=case.round, decision=r.decision,
                                 decided_by_id=r.decided_by_id, decided_at=r.decided_at, comment=r.comment)
                    for r in previous
                ]
            )


def case_return_to_step(
    *, case: Case, actor: User, target_step_id: int, comment: str, step_id: int | None = None, round_: int | None = None
) -> Case:
    """退回到指定步骤: send the form back to an earlier approver instead of the applicant."""
    comment = _require_comment(comment, _("return the form"))
    with transaction.atomic(), trail.recording():
        case = _lock(case)
        step = _decision_target(case, step_id, round_)
        row, on_behalf_of = _holding_assignee(case, step, actor)
        target = RouteStep.objects.filter(
            pk=target_step_id, case=case, stage=case.stage, version=case.route_version, order__lt=step.order,
            status__in=[RouteStep.Status.APPROVED, RouteStep.Status.AUTO_PASSED],
        ).first()
        if target is None:
            raise ApprovalError(_("Choose an earlier step that has already approved."), code="bad_target")
        _record(case, row, StepAssignee.Decision.RETURNED, actor, comment, on_behalf_of)
        trail.append(case, Action.Kind.RETURN_TO_STEP, actor=actor, on_behalf_of=on_behalf_of, step=step,
                     comment=_("Back to “%(step)s”: %(comment)s") % {"step": target.name, "comment": comment})
        case.round += 1
        _new_round_from(case, target.order)
        case.save()
        _advance(case, actor, from_order=target.order - 1, previous_approver_id=None)
    return case


def case_handover(
    *, case: Case, actor: User, to_user: User, comment: str = "", step_id: int | None = None, round_: int | None = None
) -> Case:
    """转交: the holder hands their part of the current step to another person."""
    with transaction.atomic(), trail.recording():
        case = _lock(case)
        step = _decision_target(case, step_id, round_)
        row, on_behalf_of = _holding_assignee(case, step, actor)
        if to_user.pk == case.applicant_id:
            raise ApprovalError(_("Nobody approves their own form."), code="own_form")
        if not to_user.is_active:
            raise ApprovalError(_("That person's account is not active."))
        existing = step.assignees.filter(round=case.round, user=to_user).order_by("id").select_for_update(of=("self",)).first()
        if existing is not None and existing.decision != StepAssignee.Decision.HANDED_OVER:
            raise ApprovalError(
                _("%(name)s already holds or has decided this step.") % {"name": to_user.get_full_name()},
                code="already_holder",
            )
        _record(case, row, StepAssignee.Decision.HANDED_OVER, actor, comment, on_behalf_of)
        if existing is not None:  # handed back to someone who had handed it on: reopen their row
            existing.decision, existing.decided_by, existing.decided_at, existing.comment = "", None, None, ""
            existing.save(update_fields=["decision", "decided_by", "decided_at", "comment"])
        else:
            StepAssignee.objects.create(step=step, user=to_user, round=case.round)
        grant_view(case, [to_user])
        trail.append(case, Action.Kind.HANDOVER, actor=actor, on_behalf_of=on_behalf_of, step=step,
                     comment=_("Handed to %(name)s. %(comment)s") % {"name": to_user.get_full_name(), "comment": comment})
        notify([to_user], case, _("Handed to you for approval: %(number)s %(title)s") % {"number": case.number, "title": case.title},
               event="waiting")
        case.save(update_fields=["updated_at"])
    return case


def case_add_approver(
    *, case: Case, actor: User, user: User, comment: str = "", step_id: int | None = None, round_: int | None = None
) -> Case:
    """加签: the holder adds a step right after theirs, held by ``user``."""
    with transaction.atomic(), trail.recording():
        case = _lock(case)
        step = _decision_target(case, step_id, round_)
        _row, on_behalf_of = _holding_assignee(case, step, actor)
        if user.pk == case.applicant_id:
            raise ApprovalError(_("Nobody approves their own form."), code="own_form")
        if not user.is_active:
            raise ApprovalError(_("That person's account is not active."))
        later = RouteStep.objects.filter(case=case, stage=case.stage, version=case.route_version, order__gt=step.order)
        # two moves keep (case, stage, version, order) unique at every moment
        later.update(order=F("order") + 1000)
        later.update(order=F("order") - 999)
        added = RouteStep.objects.create(
            case=case, stage=case.stage, version=case.route_version, order=step.order + 1,
            name=_("Added: %(name)s") % {"name": user.get_full_name()}, kind=StepKind.ADDED, mode=StepMode.SINGLE,
            time_limit_hours=step.time_limit_hours,
        )
        StepAssignee.objects.create(step=added, user=user, round=case.round)
        trail.append(case, Action.Kind.ADD_APPROVER, actor=actor, on_behalf_of=on_behalf_of, step=step,
                     comment=_("Added %(name)s after this step. %(comment)s") % {"name": user.get_full_name(), "comment": comment})
        case.save(update_fields=["updated_at"])
    return case


def case_withdraw(*, case: Case, actor: User, comment: str = "") -> Case:
    """The applicant withdraws: a draft, a returned form, or one nobody has decided on yet."""
    with transaction.atomic(), trail.recording():
        case = _lock(case)
        if case.applicant_id != actor.pk:
            raise ApprovalError(_("Only the applicant may withdraw the form."))
        if case.status == S.IN_PROGRESS:
            decided = StepAssignee.objects.filter(
                step__case=case, step__stage=case.stage, round=case.round,
                decision__in=[StepAssignee.Decision.APPROVED, StepAssignee.Decision.REJECTED, StepAssignee.Decision.RETURNED],
            ).exists()
            if decided:
                raise ApprovalError(
                    _("The form can no longer be withdrawn: an approver has already decided on it."), code="decided"
                )
        elif case.status not in (S.DRAFT, S.RETURNED):
            raise StaleAction(_("The form is finished and cannot be withdrawn."), code="finished")
        _close_open_steps(case, RouteStep.Status.CANCELLED)
        case.status = S.WITHDRAWN
        case.current_step = None
        case.current_since = None
        case.finished_at = timezone.now()
        case.save()
        _close_stage(case, CaseStage.Status.CLOSED)
        for section in registry.sections_for(case):
            section.on_withdrawn(case, actor)
        trail.append(case, Action.Kind.WITHDRAW, actor=actor, comment=comment)
    return case


def case_comment(*, case: Case, actor: User, comment: str) -> Action:
    _require_writer(actor)
    comment = (comment or "").strip()
    if not comment:
        raise ApprovalError(_("The comment is empty."), code="comment_required")
    if len(comment) > 2000:
        raise ApprovalError(_("The comment may have at most 2000 characters."))
    with transaction.atomic(), trail.recording():
        case = _lock(case)
        return trail.append(case, Action.Kind.COMMENT, actor=actor, comment=comment)


def _waiting_users(case: Case) -> list[User]:
    if not case.current_step_id:
        return []
    return [
        a.user
        for a in StepAssignee.objects.filter(step_id=case.current_step_id, round=case.round, decision="").select_related("user")
    ]


URGE_MIN_INTERVAL_MINUTES = 60


def case_urge(*, case: Case, actor: User | None, comment: str = "") -> Action:
    """催办: remind whoever holds the current step. At most once an hour per step."""
    _require_writer(actor)
    with transaction.atomic(), trail.recording():
        case = _lock(case)
        if case.status != S.IN_PROGRESS or not case.current_step_id:
            raise StaleAction(_("The form is not waiting for anyone."), code="not_waiting")
        if actor is not None and actor.pk != case.applicant_id and not actor.has_role(Role.ADMIN):
            raise ApprovalError(_("Only the applicant may urge this form."))
        now = timezone.now()
        cutoff = now - timedelta(minutes=URGE_MIN_INTERVAL_MINUTES)
        claimed = (
            RouteStep.objects.filter(pk=case.current_step_id)
            .filter(Q(last_urged_at__isnull=True) | Q(last_urged_at__lt=cutoff))
            .update(last_urged_at=now)
        )
        if not claimed:
            raise ApprovalError(_("This step was urged less than an hour ago."), code="too_soon")
        step = RouteStep.objects.get(pk=case.current_step_id)
        waiting = _waiting_users(case)
        text = _("Urged: %(number)s %(title)s has waited at “%(step)s” since %(since)s.") % {
            "number": case.number,
            "title": case.title,
            "step": step.name,
            "since": timezone.localtime(case.current_since).strftime("%Y-%m-%d %H:%M") if case.current_since else "",
        }
        notify(waiting, case, text, event="urged")
        return trail.append(case, Action.Kind.URGE, actor=actor, step=step, comment=comment or text)


def may_copy(case: Case, user: User) -> bool:
    """抄送 is for the applicant, people who hold or held a step of the route, and admins —
    not for every reader (copy recipients, supervisors and stand-ins change nothing)."""
    if user.pk == case.applicant_id or user.has_role(Role.ADMIN):
        return True
    return StepAssignee.objects.filter(step__case=case, user=user).exists()


def case_copy(*, case: Case, actor: User, users) -> int:
    """抄送: let others read the case and tell them."""
    _require_writer(actor)
    users = [u for u in users if u.pk != actor.pk]
    with transaction.atomic(), trail.recording():
        case = _lock(case)
        if not may_copy(case, actor):
            raise ApprovalError(_("Only the applicant and the approvers of this form may copy it to others."))
        new = []
        for u in users:
            try:
                with transaction.atomic():
                    CaseCopy.objects.create(case=case, user=u, created_by=actor)
                new.append(u)
            except IntegrityError:
                continue  # already copied: not told twice
        if new:
            grant_view(case, new)
            notify(new, case, _("Copied to you: %(number)s %(title)s") % {"number": case.number, "title": case.title},
                   event="copied")
            trail.append(case, Action.Kind.COPY, actor=actor, comment="、".join(u.get_full_name() for u in new))
    return len(new)


def batch_approve(*, cases, actor: User, comment: str = "", seen: dict | None = None) -> tuple[list[Case], list[tuple[Case, str]]]:
    """批量审批: approve each selected low-risk case in its own transaction. ``seen`` maps a
    case id to the (step id, round) the inbox showed: a case that moved on is not approved."""
    done, failed = [], []
    seen = seen or {}
    for case in cases:
        if not case.matter.low_risk:
            failed.append((case, _("Not a low-risk matter: open it and decide it on its own.")))
            continue
        step_id, round_ = seen.get(case.pk, (None, None))
        try:
            done.append(case_approve(case=case, actor=actor, comment=comment, step_id=step_id, round_=round_))
        except ApprovalError as exc:
            failed.append((case, exc.message))
    return done, failed


def urge_overdue_steps(now=None) -> int:
    """Celery beat: urge every step waiting longer than its limit in working hours (office
    hours on working days of the State Council's schedule, ``core.workcalendar``)."""
    now = now or timezone.now()
    calendar = WorkCalendar.load()
    count = 0
    active = RouteStep.objects.filter(status=RouteStep.Status.ACTIVE, case__status=S.IN_PROGRESS).select_related("case")
    for step in active.iterator():
        since = step.last_urged_at or step.activated_at
        if since is None or calendar.working_hours_between(since, now) < step.time_limit_hours:
            continue
        try:
            case_urge(case=step.case, actor=None, comment=_("Waiting longer than %(hours)s working hours: urged automatically.") % {"hours": step.time_limit_hours})
            count += 1
        except ApprovalError:
            continue
    return count
