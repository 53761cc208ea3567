from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.money import try_parse_amount
from documents import registry as document_registry
from documents.checks import check_upload
from documents.selectors import with_history
from org.models import Unit, User

from . import registry, selectors, services, tiers, trail, work
from .exceptions import ApprovalError
from .forms import (
    AttachmentForm,
    CaseHeaderForm,
    CommentForm,
    CopyForm,
    DecisionForm,
    DelegationForm,
    ResubmitNoteForm,
    ThresholdPreviewForm,
    TierAmountForm,
    TierStepFormSet,
)
from .models import Case, CaseCopy, Category, Delegation, Matter, Notification
from .permissions import get_case_for_user, may_set_any_standin, standin_refusal, standins_for, thresholds_access
from .money import format_yuan
from .routing import route_preview

PAGE_SIZE = 50


# --- helpers -----------------------------------------------------------------------------
def _section_form(section, request, case):
    if section is None or section.form_class is None:
        return None
    data = request.POST if request.method == "POST" else None
    return section.form_class(
        data, case=case, user=request.user, prefix=section.key, initial=section.initial(case, request.user)
    )


def _collect_uploads(request, kinds: list[str]):
    """Files posted as file_<n> (n indexes the required kinds; 'other' for anything else)."""
    uploads, errors = [], []
    names = [(f"file_{i}", k) for i, k in enumerate(kinds)] + [("file_other", "其他材料")]
    for field, kind in names:
        for f in request.FILES.getlist(field):
            try:
                uploads.append((kind, f, check_upload(f)))
            except ValidationError as exc:
                errors.extend(exc.messages)
    return uploads, errors


def _store_all(uploads):
    """Write the files before any transaction (no lock is held during file I/O)."""
    return [(kind, services.store_upload(f, facts)) for kind, f, facts in uploads]


def _materials(request, case) -> list:
    """The form's materials in force, each with its earlier versions and the replace/remove
    buttons the owner's rule allows this person."""
    docs = with_history(case.attachments.select_related("uploaded_by").order_by("uploaded_at", "id"))
    return document_registry.mark_allowed(request.user, docs, owner=case)


def _form_context(request, matter, case, header, section, section_form, errors=(), note_form=None):
    attachments = _materials(request, case) if case else []
    have = {a.kind for a in attachments}
    amount = header.data.get("amount") if header.is_bound else (case.amount if case else None)
    return {
        "matter": matter,
        "case": case,
        "header": header,
        "section": section,
        "section_form": section_form,
        "note_form": note_form,
        "required_kinds": [(i, k, k in have) for i, k in enumerate(matter.required_attachments)],
        "attachments": attachments,
        "upload_errors": errors,
        "preview": _preview(request, matter, case, amount),
        "active_nav": "mine",
    }


def _preview(request, matter, case, amount):
    value = try_parse_amount(amount)
    unit = case.unit if case else request.user.unit
    if unit is None:
        return None
    applicant = case.applicant if case else request.user
    return _route_with_standins(matter=matter, unit=unit, applicant=applicant, amount=value)


def _route_with_standins(*, matter, unit, applicant, amount, stage: str = "") -> dict:
    """The route the engine would build (routing.route_preview, the code submission runs),
    with who stands in for whom today, shown before the decision: "黄丽华（郑晓梅代）"."""
    preview = route_preview(matter=matter, unit=unit, applicant=applicant, amount=amount, stage=stage)
    preview["standins"] = standins_for(
        [u.pk for s in preview.get("steps", []) for u in (getattr(s, "users", None) or [])],
        category=matter.category, exclude_deputy_id=applicant.pk,
    )
    return preview


# --- filing ---------------------------------------------------------------------------------
@require_GET
def matter_choose(request):
    matters = Matter.objects.filter(is_active=True).order_by("category", "sort_order", "code")
    groups: dict[str, list] = {}
    for m in matters:
        groups.setdefault(m.get_category_display(), []).append(m)
    return render(request, "approvals/matter_choose.html", {"groups": groups, "active_nav": "mine"})


def case_create_view(request, matter_id: int):
    matter = get_object_or_404(Matter, pk=matter_id, is_active=True)
    section = registry.get(matter.stages[0]) if matter.stages else None
    header = CaseHeaderForm(request.POST or None, matter=matter)
    section_form = _section_form(section, request, None)
    upload_errors = []
    if request.method == "POST":
        uploads, upload_errors = _collect_uploads(request, matter.required_attachments)
        valid = header.is_valid() & (section_form is None or section_form.is_valid()) & (not upload_errors)
        if valid:
            try:
                case = services.case_file(
                    matter=matter, applicant=request.user, title=header.cleaned_data["title"],
                    reason=header.cleaned_data["reason"], amount=header.cleaned_data["amount"],
                    section=section, section_form=section_form, stored=_store_all(uploads),
                )
            except ApprovalError as exc:
                header.add_error(None, exc.message)
            else:
                if request.POST.get("action") == "submit":
                    return _submit_and_redirect(request, case)
                messages.success(request, _("Draft saved. The form gets its number when it is first submitted."))
                return redirect("approvals:edit", pk=case.pk)
    ctx = _form_context(request, matter, None, header, section, section_form, upload_errors)
    return render(request, "approvals/case_form.html", ctx, status=400 if request.method == "POST" else 200)


def _submit_and_redirect(request, case, note: str = ""):
    try:
        if case.status == Case.Status.RETURNED:
            warnings = services.case_resubmit(case=case, actor=request.user, comment=note)
        else:
            warnings = services.case_submit(case=case, actor=request.user)
    except ApprovalError as exc:
        messages.error(request, exc.message)
        return redirect("approvals:edit", pk=case.pk)
    for w in warnings:
        messages.warning(request, w)
    messages.success(request, _("Submitted: %(number)s") % {"number": case.number})
    return redirect("approvals:detail", pk=case.pk)


def case_edit_view(request, pk: int):
    case = get_case_for_user(request.user, pk)
    if case.applicant_id != request.user.pk or case.status not in (Case.Status.DRAFT, Case.Status.RETURNED):
        messages.info(request, _("This form cannot be changed now."))
        return redirect("approvals:detail", pk=case.pk)
    matter = case.matter
    section = registry.current_section(case)
    initial = {"title": case.title, "reason": case.reason, "amount": case.amount if case.amount is not None else ""}
    # the header was approved with the first stage: later stages show it read-only
    header_data = request.POST if request.method == "POST" and case.stage == 0 else None
    if request.method == "POST" and case.stage > 0:
        header_data = {**initial, "amount": initial["amount"]}
    header = CaseHeaderForm(header_data, matter=matter, initial=initial)
    header.frozen = case.stage > 0
    section_form = _section_form(section, request, case)
    # a returned form is resubmitted with the applicant's note on what changed (修改说明)
    note_form = ResubmitNoteForm(request.POST or None) if case.status == Case.Status.RETURNED else None
    upload_errors = []
    if request.method == "POST":
        uploads, upload_errors = _collect_uploads(request, matter.required_attachments if case.stage == 0 else [])
        valid = header.is_valid() & (section_form is None or section_form.is_valid()) & (not upload_errors)
        valid &= note_form is None or note_form.is_valid()
        if valid:
            try:
                case = services.case_save(
                    case=case, actor=request.user, title=header.cleaned_data["title"],
                    reason=header.cleaned_data["reason"], amount=header.cleaned_data["amount"],
                    section=section, section_form=section_form, stored=_store_all(uploads),
                )
            except ApprovalError as exc:
                header.add_error(None, exc.message)
            else:
                if request.POST.get("action") == "submit":
                    return _submit_and_redirect(request, case, note_form.cleaned_data["comment"] if note_form else "")
                messages.success(request, _("Saved."))
                return redirect("approvals:edit", pk=case.pk)
    ctx = _form_context(request, matter, case, header, section, section_form, upload_errors, note_form)
    return render(request, "approvals/case_form.html", ctx, status=400 if request.method == "POST" else 200)


@require_GET
def route_preview_view(request, matter_id: int):
    """htmx: the route the form will take and the live checks, as the amount is typed."""
    matter = get_object_or_404(Matter, pk=matter_id, is_active=True)
    case = None
    if request.GET.get("case"):
        case = get_case_for_user(request.user, request.GET["case"])
    checks = []
    if case is not None and case.stage > 0:
        # the header was approved with the first stage: its amount is locked, never asked for again
        value = case.amount
    else:
        try:
            value = services.clean_amount(request.GET.get("amount", ""), required=matter.amount_required or matter.spends_money)
        except ApprovalError as exc:
            value = None
            checks.append({"level": "error", "text": exc.message})
    # the section being filled: the current stage's for a case, the first stage's for a new one
    if case is not None:
        section = registry.current_section(case)
    else:
        section = registry.get(matter.stages[0]) if matter.stages else None
    if section is not None and value is not None:
        checks.extend(section.check_amount(case, value, request.GET, request.user))
    ctx = {"preview": _preview(request, matter, case, value), "checks": checks, "matter": matter, "amount": value}
    return render(request, "approvals/_route_preview.html", ctx)


# --- reading ---------------------------------------------------------------------------------
@require_GET
def case_detail(request, pk: int):
    case = get_case_for_user(request.user, pk)
    page = selectors.case_page(case)
    sections = []
    for section in registry.sections_for(case):
        if section.display_template:
            sections.append({"section": section, "template": section.display_template, "ctx": section.context(case, request.user)})
    can_decide = selectors.user_can_decide(request.user, case)
    is_applicant = case.applicant_id == request.user.pk
    waiting = [a.user_id for st in page["steps"] if st.pk == case.current_step_id for a in st.current_rows if not a.decision]
    page["attachments"] = document_registry.mark_allowed(request.user, page["attachments"], owner=case)
    ctx = {
        "standins": standins_for(waiting, category=case.category, exclude_deputy_id=case.applicant_id) if waiting else {},
        **page,
        "case": case,
        "sections": sections,
        "can_decide": can_decide,
        "is_applicant": is_applicant,
        "can_edit": is_applicant and case.status in (Case.Status.DRAFT, Case.Status.RETURNED),
        "can_withdraw": is_applicant and case.is_open and bool(case.number or case.status != Case.Status.DRAFT),
        "can_delete": is_applicant and case.status == Case.Status.DRAFT and not case.number and case.submitted_at is None,
        "can_urge": is_applicant and case.status == Case.Status.IN_PROGRESS,
        "decision_form": DecisionForm(initial={"step_id": case.current_step_id, "round": case.round}) if can_decide else None,
        "can_copy": services.may_copy(case, request.user),
        "earlier_steps": [
            st for st in page["steps"]
            if can_decide and st.stage == case.stage and st.version == case.route_version
            and case.current_step and st.order < case.current_step.order and st.status in ("approved", "auto_passed")
        ],
        "common_phrases": [_("Agreed."), _("Please add the missing materials."), _("Please revise and resubmit.")],
        "active_nav": "mine" if is_applicant else "inbox",
    }
    CaseCopy.objects.filter(case=case, user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "approvals/case_detail.html", ctx)


_PICKER_FIELDS = {"person": False, "users": True, "acceptance-members": True}


def _people_picker(request, *, exclude_ids=()):
    """htmx: the people picker's results for what was typed (name, unit or position), at most
    PEOPLE_LIMIT, the people already chosen kept on top and checked."""
    field = request.GET.get("field", "person")
    if field not in _PICKER_FIELDS:
        raise Http404
    q = request.GET.get("q", "")[:50]
    chosen, found, more = selectors.people_search(q, exclude_ids=exclude_ids, selected_ids=request.GET.getlist(field)[:50])
    ctx = {"chosen": chosen, "found": found, "more": more, "q": q, "field": field, "searched": True,
           "input_type": "checkbox" if _PICKER_FIELDS[field] else "radio"}
    return render(request, "approvals/_people_options.html", ctx)


@require_GET
def people_options(request, pk: int):
    """htmx: the people picker of the hand-over, add-an-approver and copy forms of a case (for
    those who may read it; never the applicant)."""
    case = get_case_for_user(request.user, pk)
    return _people_picker(request, exclude_ids=[case.applicant_id])


@require_GET
def people_search(request):
    """htmx: the people picker of a form being filled (the acceptance team)."""
    return _people_picker(request)


def _rows(cases, overdue_before) -> list[dict]:
    """Plain rows for the list table: formatting in Python is several times cheaper than
    the same lookups and filters in the template, and a list page renders 50 of them."""
    from .money import format_yuan

    statuses = dict(Case.Status.choices)
    detail = reverse("approvals:detail", args=[0])[:-2]
    rows = []
    for c in cases:
        since = timezone.localtime(c.current_since) if c.current_since else None
        if c.status == Case.Status.DRAFT and c.stage > 0:
            # the earlier stage was approved: the applicant's next section waits (待填写：合同), not a draft
            section = registry.current_section(c)
            status = _("To fill in: %(stage)s") % {"stage": section.label if section else c.stage_key}
        else:
            status = statuses.get(c.status, c.status)
        rows.append(
            {
                "pk": c.pk,
                "url": f"{detail}{c.pk}/",
                "token": f"{c.pk}:{c.current_step_id or 0}:{c.round}",
                "number": c.display_number,
                "title": c.title,
                "matter": c.matter.name,
                "low_risk": c.matter.low_risk,
                "unit": c.unit.name,
                "applicant": c.applicant.full_name or c.applicant.username,
                "amount": format_yuan(c.amount),
                "status": status,
                "step": c.current_step.name if c.current_step_id else "",
                "since": since.strftime("%m-%d %H:%M") if since else "",
                "overdue": bool(c.current_since and c.current_since < overdue_before),
                "unread": getattr(c, "unread", False),
            }
        )
    return rows


def _item_rows(items) -> list[dict]:
    """Rows of the same table for the work other apps register (approvals.work.WorkItem)."""
    rows = []
    for it in items:
        since = timezone.localtime(it.since) if it.since else None
        rows.append({
            "url": it.url, "number": it.number, "title": it.title, "matter": "", "unit": it.unit,
            "applicant": it.applicant, "amount": it.amount, "status": it.what, "step": "",
            "since": since.strftime("%m-%d %H:%M") if since else "", "overdue": False, "action": it.action,
        })
    return rows


# the tabs that list cases through the table below, with their filters and pages
TABS = {
    "pending": (selectors.pending_for, "inbox"),
    "fill": (selectors.to_fill, "inbox"),
    "returned": (selectors.returned_to, "inbox"),
    "copied": (selectors.copied_to, "inbox"),
    "done": (selectors.done_by, "inbox"),
    "mine": (selectors.mine, "mine"),
}
SORTS = {"amount": "amount", "-amount": "-amount", "age": "current_since", "number": "number", "-created": "-created_at"}
ITEM_LIMIT = 100


@require_GET
def inbox(request, tab: str = "pending"):
    counts = work.counts_for(request.user)
    source = None
    if tab not in TABS:
        source = next((s for s in counts.sources if s.key == tab), None)
        if source is None:
            raise Http404
    overdue_before = timezone.now() - timedelta(hours=24)
    ctx = {
        "tab": tab,
        "work_tabs": counts.tabs(),
        "active_nav": TABS[tab][1] if source is None else "inbox",
        "overdue_before": overdue_before,
        "sort": request.GET.get("sort", ""),
    }
    if source is not None:
        ctx["cases"] = _item_rows(source.items(request.user, ITEM_LIMIT))
        ctx["source_label"] = source.label
        return render(request, "approvals/inbox.html", ctx)
    fn, _nav = TABS[tab]
    qs = selectors.apply_filters(fn(request.user), request.GET)
    sort = request.GET.get("sort")
    if sort in SORTS:
        qs = qs.order_by(SORTS[sort], "id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    ctx.update({
        "page_obj": page,
        "cases": _rows(page.object_list, overdue_before),
        "filters": True,
        "matters": list(Matter.objects.filter(is_active=True).values_list("id", "name")),
        "units": list(Unit.objects.filter(is_active=True).values_list("id", "name")),
        "statuses": Case.Status.choices,
    })
    return render(request, "approvals/inbox.html", ctx)


# --- acting ------------------------------------------------------------------------------------
def _done(request, case, text):
    messages.success(request, text)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("approvals:detail", args=[case.pk])
        return response
    nxt = request.POST.get("next")
    if nxt == "inbox":
        return redirect("approvals:inbox")
    return redirect("approvals:detail", pk=case.pk)


@require_POST
def case_decide(request, pk: int):
    case = get_case_for_user(request.user, pk)
    form = DecisionForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = [e for errs in form.errors.values() for e in errs]
        messages.error(request, " ".join(errors) or _("The decision could not be read; reload the page and try again."))
        return redirect("approvals:detail", pk=case.pk)
    data = form.cleaned_data
    decision, comment = data["decision"], data["comment"]
    token = {"step_id": data["step_id"], "round_": data.get("round")}
    labels = {
        "approve": _("Approved."), "reject": _("Rejected."), "return": _("Returned to the applicant."),
        "return_to": _("Returned to the earlier step."), "handover": _("Handed over."), "add": _("Approver added."),
    }
    try:
        if decision == "approve":
            minutes = services.store_upload(data["minutes"], form.minutes_facts) if data.get("minutes") else None
            services.case_approve(
                case=case, actor=request.user, comment=comment, **token,
                meeting_date=data.get("meeting_date"), meeting_name=data.get("meeting_name") or "", minutes=minutes,
            )
        elif decision == "reject":
            services.case_reject(case=case, actor=request.user, comment=comment, **token)
        elif decision == "return":
            services.case_return(case=case, actor=request.user, comment=comment, **token)
        elif decision == "return_to":
            services.case_return_to_step(
                case=case, actor=request.user, target_step_id=data["target_step"], comment=comment, **token
            )
        elif decision == "handover":
            services.case_handover(case=case, actor=request.user, to_user=data["person"], comment=comment, **token)
        else:
            services.case_add_approver(case=case, actor=request.user, user=data["person"], comment=comment, **token)
    except ApprovalError as exc:
        messages.error(request, exc.message)
        return redirect("approvals:detail", pk=case.pk)
    return _done(request, case, labels[decision])


def _act(request, case, run, success):
    """Run one service call; a refusal becomes a message on the case page, nothing else."""
    try:
        result = run()
    except ApprovalError as exc:
        messages.error(request, exc.message)
        return redirect("approvals:detail", pk=case.pk)
    return _done(request, case, success(result) if callable(success) else success)


def _form_refused(request, case, form, field):
    messages.error(request, " ".join(form.errors.get(field, [])))
    return redirect("approvals:detail", pk=case.pk)


@require_POST
def case_delete_view(request, pk: int):
    """The applicant deletes a draft never submitted (the page asks to confirm first)."""
    case = get_case_for_user(request.user, pk)
    try:
        services.case_delete_draft(case=case, actor=request.user)
    except ApprovalError as exc:
        messages.error(request, exc.message)
        return redirect("approvals:detail", pk=case.pk)
    messages.success(request, _("Draft deleted."))
    return redirect("approvals:mine")


@require_POST
def case_withdraw_view(request, pk: int):
    case = get_case_for_user(request.user, pk)
    return _act(
        request, case,
        lambda: services.case_withdraw(case=case, actor=request.user, comment=request.POST.get("comment", "")),
        _("Withdrawn."),
    )


@require_POST
def case_urge_view(request, pk: int):
    case = get_case_for_user(request.user, pk)
    return _act(request, case, lambda: services.case_urge(case=case, actor=request.user), _("The approver has been reminded."))


@require_POST
def case_comment_view(request, pk: int):
    case = get_case_for_user(request.user, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, case, form, "comment")
    return _act(
        request, case,
        lambda: services.case_comment(case=case, actor=request.user, comment=form.cleaned_data["comment"]),
        _("Comment added."),
    )


@require_POST
def case_copy_view(request, pk: int):
    case = get_case_for_user(request.user, pk)
    form = CopyForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, case, form, "users")
    return _act(
        request, case,
        lambda: services.case_copy(case=case, actor=request.user, users=list(form.cleaned_data["users"])),
        lambda n: _("Copied to %(n)d people.") % {"n": n},
    )


@require_POST
def attachment_upload(request, pk: int):
    case = get_case_for_user(request.user, pk)
    refusal = document_registry.add_refusal(request.user, case, request.POST.get("kind") or "其他材料")
    if refusal:
        messages.error(request, refusal)
        return redirect("approvals:detail", pk=case.pk)
    form = AttachmentForm(request.POST, request.FILES, kinds=case.matter.required_attachments)
    if not form.is_valid():
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, e)
        return redirect("approvals:detail", pk=case.pk)
    stored = services.store_upload(form.cleaned_data["file"], form.facts)
    with transaction.atomic(), trail.recording():
        services.attach_stored(case, [(form.cleaned_data["kind"], stored)], request.user)
    messages.success(request, _("Attachment added."))
    return redirect("approvals:detail", pk=case.pk)


@require_POST
def batch_approve_view(request):
    seen = {}
    for value in request.POST.getlist("case"):
        parts = value.split(":")
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            seen[int(parts[0])] = (int(parts[1]), int(parts[2]))
    ids = list(seen)
    if not ids:
        messages.error(request, _("Select at least one form."))
        return redirect("approvals:inbox")
    cases = list(selectors.pending_for(request.user).filter(pk__in=ids))
    done, failed = services.batch_approve(
        cases=cases, actor=request.user, comment=request.POST.get("comment", "") or _("Agreed."), seen=seen
    )
    if done:
        messages.success(request, _("Approved %(n)d forms.") % {"n": len(done)})
    for case, why in failed:
        messages.error(request, f"{case.number}: {why}")
    missing = len(ids) - len(cases)
    if missing:
        messages.warning(request, _("%(n)d selected forms are no longer waiting for you.") % {"n": missing})
    return redirect("approvals:inbox")


# --- print -------------------------------------------------------------------------------------------
@require_GET
def case_pdf(request, pk: int):
    from .pdf import render_case_pdf

    case = get_case_for_user(request.user, pk)
    pdf = render_case_pdf(case, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{case.number}.pdf"'
    return response


# --- delegation and notices ----------------------------------------------------------------------------
def delegations(request):
    """代理: a person names their stand-in; an administrator names one for any leader and sees
    every delegation in force."""
    for_anyone = may_set_any_standin(request.user)
    form = DelegationForm(request.POST or None, principal=request.user, for_anyone=for_anyone)
    if request.method == "POST":
        if form.is_valid():
            d = form.save()
            messages.success(request, _("Delegation saved: %(deputy)s stands in for %(principal)s from %(start)s to %(end)s.") % {
                "deputy": d.deputy.get_full_name(), "principal": d.principal.get_full_name(), "start": d.start, "end": d.end})
            return redirect("approvals:delegations")
    ctx = {
        "form": form,
        "for_anyone": for_anyone,
        "given": Delegation.objects.filter(principal=request.user).select_related("deputy"),
        "received": Delegation.objects.filter(deputy=request.user).select_related("principal"),
        "in_force": (
            Delegation.objects.filter(is_active=True, end__gte=timezone.localdate())
            .select_related("principal__unit", "deputy__unit").order_by("start", "id")
            if for_anyone else []
        ),
        "active_nav": "inbox",
        "categories": Category.choices,
    }
    return render(request, "approvals/delegations.html", ctx, status=400 if request.method == "POST" else 200)


@require_POST
def delegation_end(request, pk: int):
    mine = Delegation.objects.all() if may_set_any_standin(request.user) else Delegation.objects.filter(principal=request.user)
    d = get_object_or_404(mine, pk=pk)
    d.is_active = False
    d.save(update_fields=["is_active"])
    messages.success(request, _("Delegation ended."))
    return redirect("approvals:delegations")


@require_GET
def notifications(request):
    """Notices, newest first, grouped by case within the page (a form's notices together)."""
    qs = Notification.objects.filter(user=request.user).select_related("case").order_by("-created_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    groups: dict = {}
    for n in page:
        groups.setdefault(n.case_id, {"case": n.case, "notices": [], "unread": 0})
        groups[n.case_id]["notices"].append(n)
        groups[n.case_id]["unread"] += n.read_at is None
    unread = Notification.objects.filter(user=request.user, read_at__isnull=True).count()
    Notification.objects.filter(user=request.user, read_at__isnull=True, pk__in=[n.pk for n in page]).update(read_at=timezone.now())
    return render(request, "approvals/notifications.html", {
        "page_obj": page, "groups": list(groups.values()), "unread": unread, "active_nav": "inbox",
    })


@require_POST
def notifications_read_all(request):
    n = Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, _("%(n)d notices marked as read.") % {"n": n})
    return redirect("approvals:notifications")


# --- the approval thresholds (审批权限设置) -----------------------------------------------------------
HISTORY_LIMIT = 50


def _threshold_preview(request):
    """The preview form of the page and, once filled, the route that form would take."""
    form = ThresholdPreviewForm(request.GET if "matter" in request.GET else None)
    if not form.is_bound or not form.is_valid():
        return form, None
    data = form.cleaned_data
    # filed by nobody in particular of the unit: no step is skipped as the applicant's own
    applicant = User(unit=data["unit"])
    preview = _route_with_standins(matter=data["matter"], unit=data["unit"], applicant=applicant,
                                   amount=data["amount"], stage=data["stage"])
    preview.update(matter=data["matter"], unit=data["unit"], amount=data["amount"] or 0,
                   stage_label=selectors.stage_label(data["stage"]))
    return form, preview


@require_GET
def thresholds(request):
    """审批权限设置: every matter and stage with the tiers that route it, in one table; the
    route a given form would take; the recent changes. Administrators edit, supervisors read."""
    may_edit = thresholds_access(request.user)
    form, preview = _threshold_preview(request)
    ctx = {
        **selectors.threshold_table(),
        "may_edit": may_edit,
        "preview_form": form,
        "preview": preview,
        "history": selectors.tier_history(limit=HISTORY_LIMIT),
        "active_nav": "thresholds",
    }
    return render(request, "approvals/thresholds.html", ctx)


@require_GET
def threshold_preview(request):
    """htmx: the route of the preview form of the thresholds page."""
    thresholds_access(request.user)
    form, preview = _threshold_preview(request)
    return render(request, "approvals/_threshold_preview.html", {"preview_form": form, "preview": preview})


def _step_initial(steps) -> list[dict]:
    return [{"id": s.pk, "name": s.name, "kind": s.kind, "role": s.role, "field": s.field, "mode": s.mode,
             "time_limit_hours": s.time_limit_hours} for s in steps]


def threshold_edit(request, pk: int):
    """One tier: move its start, split it, merge it into the tier below, edit its steps. Each
    refusal shows why on the page and saves nothing."""
    may_edit = thresholds_access(request.user)
    detail = selectors.tier_detail(pk)
    if detail is None:
        raise Http404
    tier = detail["tier"]
    post = request.POST if request.method == "POST" else None
    action = post.get("action") if post else None
    if post is not None and not may_edit:
        raise PermissionDenied
    start_form = TierAmountForm(post if action == "start" else None, prefix="start",
                                initial={"amount": tier.min_amount})
    split_form = TierAmountForm(post if action == "split" else None, prefix="split")
    steps_formset = TierStepFormSet(post if action == "steps" else None, prefix="steps",
                                    initial=_step_initial(detail["steps"]))
    error = ""
    if post is not None:
        try:
            if action == "start" and start_form.is_valid():
                tiers.tier_set_start(tier=tier, min_amount=start_form.cleaned_data["amount"], actor=request.user)
                messages.success(request, _("The tier now starts at %(amount)s; the names of the tiers follow their ranges.")
                                 % {"amount": format_yuan(start_form.cleaned_data["amount"])})
                return redirect("approvals:threshold_edit", pk=tier.pk)
            if action == "split" and split_form.is_valid():
                new = tiers.tier_split(tier=tier, at=split_form.cleaned_data["amount"], actor=request.user)
                messages.success(request, _("Tier “%(tier)s” added with a copy of the steps: change its steps now.")
                                 % {"tier": new.name})
                return redirect("approvals:threshold_edit", pk=new.pk)
            if action == "merge":
                below = tiers.tier_merge(tier=tier, actor=request.user)
                messages.success(request, _("The tier was removed: its amounts now take tier “%(tier)s”.")
                                 % {"tier": below.name})
                return redirect("approvals:threshold_edit", pk=below.pk)
            if action == "steps" and steps_formset.is_valid():
                specs = [tiers.StepSpec(**{k: f.cleaned_data.get(k) or "" for k in ("name", "kind", "role", "field", "mode")},
                                        id=f.cleaned_data.get("id"), time_limit_hours=f.cleaned_data["time_limit_hours"])
                         for f in steps_formset.ordered_forms]
                tiers.tier_steps_save(tier=tier, steps=specs, actor=request.user)
                messages.success(request, _("The steps of tier “%(tier)s” were saved.") % {"tier": tier.name})
                return redirect("approvals:threshold_edit", pk=tier.pk)
            if action not in ("start", "split", "merge", "steps"):
                error = _("Unknown action; reload the page and try again.")
        except tiers.TierError as exc:
            error = exc.message
    ctx = {
        **detail,
        "may_edit": may_edit,
        "start_form": start_form,
        "split_form": split_form,
        "steps_formset": steps_formset,
        "action": action,
        "error": error,
        "history": selectors.tier_history(policy=tier, limit=HISTORY_LIMIT),
        "active_nav": "thresholds",
    }
    return render(request, "approvals/threshold_edit.html", ctx, status=400 if post is not None else 200)
