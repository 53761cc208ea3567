"""Reads shaped for the pages: each list runs a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from core.money import try_parse_amount
from documents.selectors import with_history

from . import registry
from .models import Action, Case, CaseCopy, CaseStage, RouteStep, StepAssignee
from .permissions import delegation_scopes, visible_cases

CASE_LIST_RELATED = ("matter", "unit", "applicant", "current_step")


def _holder_condition(user) -> Q:
    """Assignee rows the user may decide: their own, and those of people who delegated to
    them for today (limited to the delegation's category, if it has one)."""
    cond = Q(user_id=user.pk)
    for principal_id, category in delegation_scopes(user):
        one = Q(user_id=principal_id) & ~Q(step__case__applicant=user)  # never one's own form
        if category:
            one &= Q(step__case__category=category)
        cond |= one
    return cond


def pending_for(user):
    """待办: cases whose current step waits for the user (or for someone they stand in for today)."""
    waiting = StepAssignee.objects.filter(
        step=OuterRef("current_step"), round=OuterRef("round"), decision=""
    ).filter(_holder_condition(user))
    qs = Case.objects.filter(status=Case.Status.IN_PROGRESS).filter(Exists(waiting))
    return qs.select_related(*CASE_LIST_RELATED).order_by("current_since", "id")


def to_fill(user):
    """待填写: the user's cases whose next stage waits for their section (the earlier stage
    was approved); a form never submitted is a draft, in 我的申请."""
    return (
        Case.objects.filter(applicant=user, status=Case.Status.DRAFT, stage__gt=0)
        .select_related(*CASE_LIST_RELATED).order_by("updated_at", "id")
    )


def returned_to(user):
    """退回待改: the user's cases sent back to them to fix and resubmit."""
    return (
        Case.objects.filter(applicant=user, status=Case.Status.RETURNED)
        .select_related(*CASE_LIST_RELATED).order_by("updated_at", "id")
    )


def unread_copies(user):
    return CaseCopy.objects.filter(user=user, read_at__isnull=True)



def done_by(user):
    """已办: cases the user decided on."""
    decided = StepAssignee.objects.filter(step__case=OuterRef("pk"), decided_by=user)
    return Case.objects.filter(Exists(decided)).select_related(*CASE_LIST_RELATED).order_by("-updated_at", "-id")


def mine(user):
    return Case.objects.filter(applicant=user).exclude(status=Case.Status.DELETED).select_related(*CASE_LIST_RELATED).order_by("-created_at", "-id")


def copied_to(user):
    """抄送我的, the unread first."""
    copied = CaseCopy.objects.filter(case=OuterRef("pk"), user=user)
    unread = CaseCopy.objects.filter(case=OuterRef("pk"), user=user, read_at__isnull=True)
    return (
        Case.objects.filter(Exists(copied)).annotate(unread=Exists(unread))
        .select_related(*CASE_LIST_RELATED).order_by("-unread", "-created_at", "-id")
    )


def apply_filters(qs, params):
    matter = params.get("matter")
    if matter and matter.isdigit():
        qs = qs.filter(matter_id=int(matter))
    unit = params.get("unit")
    if unit and unit.isdigit():
        qs = qs.filter(unit_id=int(unit))
    category = params.get("category")
    if category:
        qs = qs.filter(category=category)
    status = params.get("status")
    if status:
        qs = qs.filter(status=status)
    for key, lookup in (("min_amount", "amount__gte"), ("max_amount", "amount__lte")):
        value = params.get(key)
        if value:
            amount = try_parse_amount(value, allow_zero=True)
            if amount is not None:  # an unparsable filter is ignored, not an error page
                qs = qs.filter(**{lookup: amount})
    age = params.get("older_than_days")
    if age and age.isdigit() and int(age) <= 3650:
        qs = qs.filter(current_since__lt=timezone.now() - timedelta(days=int(age)))
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(title__icontains=q) | Q(applicant__full_name__icontains=q))
    return qs


def search(user, q: str):
    return apply_filters(visible_cases(user, Case.objects.select_related(*CASE_LIST_RELATED)), {"q": q}).order_by(
        "-created_at"
    )


def case_page(case: Case):
    """Everything the case page shows, in a fixed number of queries."""
    steps = list(
        RouteStep.objects.filter(case=case)
        .order_by("stage", "version", "order")
        .prefetch_related(
            Prefetch(
                "assignees",
                queryset=StepAssignee.objects.select_related("user", "decided_by").order_by("round", "id"),
            )
        )
    )
    for st in steps:
        rows = [a for a in st.assignees.all() if a.round == case.round] or [
            a for a in st.assignees.all() if a.round == max((x.round for x in st.assignees.all()), default=0)
        ]
        st.current_rows = rows
        if st.activated_at:
            end = st.completed_at or timezone.now()
            st.waited = end - st.activated_at
        else:
            st.waited = None
    actions = list(
        Action.objects.filter(case=case).select_related("actor", "on_behalf_of", "step").order_by("id")
    )
    # the materials in force, each with its earlier versions (documents.selectors.with_history)
    attachments = with_history(case.attachments.select_related("uploaded_by").order_by("uploaded_at", "id"))
    copies = list(CaseCopy.objects.filter(case=case).select_related("user"))
    return {"steps": steps, "stage_groups": stage_groups(case, steps), "actions": actions,
            "attachments": attachments, "copies": copies, "chain_decisions": chain_decisions(case)}


def stage_groups(case: Case, steps) -> list[dict]:
    """The route card and the printed form group steps under stage headings: per stage its
    name, the amount it routed by and the tier it took (CaseStage), and its steps. A matter of
    one stage gives one group without a heading (``label`` empty)."""
    keys = list(case.stages or [])
    if len(keys) < 2:
        return [{"number": 1, "label": "", "amount": None, "tier": "", "steps": list(steps)}]
    records = {r.stage: r for r in CaseStage.objects.filter(case=case).select_related("policy")}
    groups = []
    for index, key in enumerate(keys):
        record = records.get(index)
        section = registry.get(key)
        groups.append({
            "number": index + 1, "key": key, "label": str(section.label) if section else key,
            "amount": record.amount if record else None,
            "tier": record.policy.name if record and record.policy else "",
            "status": record.get_status_display() if record else "",
            "steps": [st for st in steps if st.stage == index],
        })
    return groups


def chain_decisions(case: Case) -> int:
    """How many decisions people took on the whole chain (this case and the cases its
    sections link to: payments, supplements); auto-passes and hand-overs are not decisions."""
    ids = {case.pk}
    for section in registry.sections_for(case):
        ids.update(section.chain_case_ids(case) or [])
    return StepAssignee.objects.filter(
        step__case_id__in=ids, decided_by__isnull=False,
        decision__in=[StepAssignee.Decision.APPROVED, StepAssignee.Decision.REJECTED, StepAssignee.Decision.RETURNED],
    ).count()


def user_can_decide(user, case: Case) -> bool:
    if case.status != Case.Status.IN_PROGRESS or not case.current_step_id or case.applicant_id == user.pk:
        return False
    return (
        StepAssignee.objects.filter(step_id=case.current_step_id, round=case.round, decision="")
        .filter(_holder_condition(user))
        .exists()
    )


def unread_notice_count(user) -> int:
    from .models import Notification

    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def search_results(user, q: str, limit: int) -> list[dict]:
    """Cases the user may see whose number, title or applicant matches."""
    from django.urls import reverse

    from .money import format_yuan

    rows = []
    for c in search(user, q)[:limit]:
        rows.append(
            {
                "url": reverse("approvals:detail", args=[c.pk]),
                "title": f"{c.number} {c.title}",
                "subtitle": " · ".join(filter(None, [c.unit.name, c.applicant.get_full_name(), format_yuan(c.amount), c.get_status_display()])),
            }
        )
    return rows


# --- the people picker -----------------------------------------------------------------------
PEOPLE_LIMIT = 20


def people_search(q: str, *, exclude_ids=(), selected_ids=(), limit: int = PEOPLE_LIMIT):
    """The people picker: who matches every word of ``q`` in their name, account, unit or
    position, at most ``limit`` (two queries however many people there are). Returns
    (the already chosen people, the matches not chosen, whether more match than shown)."""
    from org.models import User

    base = User.objects.filter(is_active=True).exclude(pk__in=list(exclude_ids)).select_related("unit")
    ids = [int(i) for i in selected_ids if str(i).isdigit()]
    chosen = list(base.filter(pk__in=ids).order_by("unit__sort_order", "full_name", "username")) if ids else []
    matches = base.exclude(pk__in=ids)
    for word in (q or "").split()[:5]:
        matches = matches.filter(
            Q(full_name__icontains=word) | Q(username__icontains=word) | Q(unit__name__icontains=word) | Q(title__icontains=word)
        )
    found = list(matches.order_by("unit__sort_order", "full_name", "username")[: limit + 1])
    return chosen, found[:limit], len(found) > limit
def register_work() -> None:
    """The approvals engine's own kinds of waiting work in the one inbox (approvals.work)."""
    from django.utils.translation import gettext_lazy

    from .work import WorkSource, register

    def none(user, limit):  # these tabs list through the inbox's own case table
        return []

    writer = lambda user: not user.changes_nothing  # noqa: E731
    register(WorkSource(key="pending", label=gettext_lazy("To approve"), order=10, icon="bi-pen",
                        query=pending_for, items=none))
    register(WorkSource(key="fill", label=gettext_lazy("To fill in"), order=20, icon="bi-pencil-square",
                        shown_to=writer, query=to_fill, items=none))
    register(WorkSource(key="returned", label=gettext_lazy("Returned to fix"), order=30, icon="bi-arrow-return-left",
                        shown_to=writer, query=returned_to, items=none))
    register(WorkSource(key="copied", label=gettext_lazy("Copies to read"), order=60, icon="bi-envelope",
                        query=unread_copies, items=none))
