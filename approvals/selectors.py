"""Reads shaped for the pages: each list runs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.money import try_parse_amount
from core.workcalendar import WorkCalendar, workday_hours
from documents.selectors import with_history

from . import registry
from .registry import money_text, plain_value
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
            "attachments": attachments, "copies": copies, "chain_decisions": chain_decisions(case),
            "resubmission": resubmission(case, actions)}


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


# --- the approval thresholds page (审批权限设置) ----------------------------------------------
def step_who(step) -> str:
    """Who approves a configured step: "指定岗位：出纳", "归口部门审核：采购中心", "分管领导"."""
    from org.models import FunctionalDepartment, Role

    from .models import StepKind

    kind = str(StepKind(step.kind).label) if step.kind in StepKind.values else step.kind
    if step.kind == StepKind.POSITION and step.role in Role.values:
        return f"{kind}：{Role(step.role).label}"
    if step.kind == StepKind.FUNCTIONAL and step.field in FunctionalDepartment.Field.values:
        return f"{kind}：{FunctionalDepartment.Field(step.field).label}"
    return kind


def scope_label(key) -> str:
    """A scope as the table names it: the matter, the category or the default; and the stage."""
    from django.utils.translation import gettext as _

    from .models import Category

    kind, value, _stage = key
    if kind == "matter":
        return _("This matter's own")
    if value:
        return _("Category: %(category)s") % {"category": Category(value).label}
    return _("Default (every matter)")


def stage_label(key: str) -> str:
    from django.utils.translation import gettext as _

    if not key:
        return _("Whole matter")
    section = registry.get(key)
    return str(section.label) if section else key


def threshold_scopes():
    """Every tier, grouped by scope: {scope key: [active tiers by start]}, the inactive tiers,
    and the matters by id. Three queries (tiers, their steps, the matters)."""
    from .models import Matter, Policy
    from .routing import scope_key

    policies = list(Policy.objects.select_related("matter").prefetch_related("steps").order_by("min_amount", "pk"))
    scopes: dict = {}
    inactive = []
    for p in policies:
        if p.is_active:
            scopes.setdefault(scope_key(p), []).append(p)
        else:
            inactive.append(p)
    matters = list(Matter.objects.filter(is_active=True).order_by("category", "sort_order", "code"))
    return scopes, inactive, matters


def _tier_rows(tiers, *, key, scope: str, matter=None, stage=None) -> list[dict]:
    """The rows of one scope's tiers (sorted by start): range, name, steps in order."""
    from .tiers import range_label

    rows = []
    for i, tier in enumerate(tiers):
        end = tiers[i + 1].min_amount if i + 1 < len(tiers) else None
        rows.append({
            "tier": tier, "matter": matter, "stage": stage_label(key[2] if stage is None else stage),
            "scope": scope, "inherited": key[0] != "matter", "first": i == 0,
            "range": range_label(tier.min_amount, end) if tier.is_active else "",
            "steps": [{"name": s.label, "who": step_who(s), "mode": s.get_mode_display(), "mode_key": s.mode}
                      for s in tier.steps.all()],
        })
    return rows


def threshold_table() -> dict:
    """The one table of the page: for every active matter and each of its stages (or the whole
    matter), the tiers that route it — its own, its category's or the default, chosen as the
    engine chooses (routing.effective_scope) — then the tiers no active matter reaches and the
    inactive ones. Three queries however many tiers and matters there are.

    Also {tier id: [(matter, stage label)]}: who each tier routes (an edit reaches them all)."""
    from .routing import effective_scope, scope_key

    scopes, inactive, matters = threshold_scopes()
    present = set(scopes)
    groups, used_by = [], {t.pk: [] for tiers in scopes.values() for t in tiers}
    for matter in matters:
        rows = []
        for stage in list(matter.stages) or [""]:
            key = effective_scope(matter, stage, present)
            if key is None:
                rows.append({"matter": matter, "stage": stage_label(stage), "missing": True, "first": True})
                continue
            rows.extend(_tier_rows(scopes[key], key=key, scope=scope_label(key), matter=matter, stage=stage))
            for tier in scopes[key]:
                used_by[tier.pk].append((matter, stage_label(stage)))
        groups.append({"matter": matter, "rows": rows})
    unused = []
    for key in sorted(present, key=lambda k: (k[0], str(k[1]), k[2])):
        if not any(used_by[t.pk] for t in scopes[key]):
            label = scopes[key][0].matter.name if key[0] == "matter" else scope_label(key)
            unused.extend(_tier_rows(scopes[key], key=key, scope=label))
    for tier in inactive:
        key = scope_key(tier)
        unused.extend(_tier_rows([tier], key=key, scope=tier.matter.name if tier.matter_id else scope_label(key)))
    return {"groups": groups, "unused": unused, "used_by": used_by,
            "tier_count": sum(len(t) for t in scopes.values()) + len(inactive)}


# the fields of a tier and of a step the history compares (labels from the models)
TIER_FIELDS = ("name", "matter", "category", "stage", "min_amount", "on_unresolved", "is_active")
STEP_FIELDS = ("order", "name", "kind", "role", "field", "mode", "time_limit_hours")


def _display(record, field: str, matters: dict) -> str:
    from .money import format_yuan

    value = getattr(record, f"{field}_id" if field == "matter" else field)
    if field == "matter":
        return matters.get(value, "") if value else ""
    if field == "min_amount":
        return format_yuan(value)
    if field == "stage":
        return stage_label(value)
    if field == "is_active":
        from django.utils.translation import gettext as _

        return _("yes") if value else _("no")
    model_field = record._meta.get_field(field)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return "" if value is None else str(value)


def _records(model, qs, limit):
    """The newest ``limit`` history records of ``qs`` and, for each, the record before it of the
    same row: two queries."""
    from django.db.models import F, Window
    from django.db.models.functions import Lag

    recs = list(
        qs.annotate(prev_hid=Window(Lag("history_id"), partition_by=[F("id")],
                                    order_by=[F("history_date").asc(), F("history_id").asc()]))
        .select_related("history_user").order_by("-history_date", "-history_id")[:limit]
    )
    ids = [r.prev_hid for r in recs if r.prev_hid]
    before = {r.history_id: r for r in model.objects.filter(history_id__in=ids)} if ids else {}
    return [(r, before.get(r.prev_hid)) for r in recs]


def tier_history(*, policy=None, limit: int = 50) -> list[dict]:
    """Changes of tiers and of their steps, newest first: when, who, what, the fields changed
    (old → new) and the reason. Six queries at most, however many records."""
    from django.utils.translation import gettext as _

    from .models import Matter, Policy, PolicyStep

    tier_hist, step_hist = Policy.history.model, PolicyStep.history.model
    tq, sq = tier_hist.objects.all(), step_hist.objects.all()
    if policy is not None:
        tq, sq = tq.filter(id=policy.pk), sq.filter(policy_id=policy.pk)
    tiers = _records(tier_hist, tq, limit)
    steps = _records(step_hist, sq, limit)
    policy_ids = {r.policy_id for r, _b in steps}
    names = {}
    if policy_ids:  # the tier's latest name, also of a tier since removed
        for pid, name in (tier_hist.objects.filter(id__in=policy_ids).order_by("id", "-history_date", "-history_id")
                          .distinct("id").values_list("id", "name")):
            names[pid] = name
    matter_ids = {r.matter_id for r, _b in tiers if r.matter_id} | {b.matter_id for _r, b in tiers if b and b.matter_id}
    matters = dict(Matter.objects.filter(pk__in=matter_ids).values_list("pk", "name")) if matter_ids else {}
    kinds = {"+": _("added"), "~": _("changed"), "-": _("removed")}
    out = []
    for model_fields, pairs, is_step in ((TIER_FIELDS, tiers, False), (STEP_FIELDS, steps, True)):
        for rec, prev in pairs:
            changes = []
            for f in model_fields:
                new = _display(rec, f, matters)
                old = _display(prev, f, matters) if prev is not None else None  # None: no earlier record
                if rec.history_type == "~" and prev is not None and old == new:
                    continue
                if rec.history_type == "-":
                    continue
                changes.append({"field": str(rec._meta.get_field(f).verbose_name), "old": old, "new": new})
            if rec.history_type == "+":
                changes = [c for c in changes if c["new"]]
            if is_step:
                what = _("Step %(order)s “%(step)s” of tier “%(tier)s”") % {
                    "order": rec.order, "step": rec.name or step_who(rec), "tier": names.get(rec.policy_id, rec.policy_id)}
            else:
                what = _("Tier “%(tier)s”") % {"tier": rec.name}
            user = rec.history_user
            out.append({
                "when": rec.history_date, "who": (user.get_full_name() or user.username) if user else _("the system"),
                "kind": kinds.get(rec.history_type, rec.history_type), "type": rec.history_type, "what": what,
                "changes": changes, "reason": rec.history_change_reason or "",
                "order": (rec.history_date, is_step, rec.history_id),
            })
    out.sort(key=lambda row: row["order"], reverse=True)
    return out[:limit]


def tier_detail(pk: int) -> dict | None:
    """One tier for its edit page: the tier, its scope's tiers (its neighbours), its range and
    the matters and stages it routes. A fixed number of queries."""
    from .models import Matter, Policy
    from .routing import effective_scope, scope_key, scope_q
    from .tiers import range_label

    tier = Policy.objects.select_related("matter").filter(pk=pk).first()
    if tier is None:
        return None
    key = scope_key(tier)
    tiers = list(Policy.objects.filter(scope_q(key), is_active=True).select_related("matter")
                 .prefetch_related("steps").order_by("min_amount", "pk"))
    index = next((i for i, t in enumerate(tiers) if t.pk == tier.pk), None)
    if index is not None:
        tier = tiers[index]
    below = tiers[index - 1] if index else None
    above = tiers[index + 1] if index is not None and index + 1 < len(tiers) else None
    present = {("matter", m, s) if m else ("category", c, s)
               for m, c, s in Policy.objects.filter(is_active=True).values_list("matter_id", "category", "stage").distinct()}
    used_by = []
    if tier.is_active:
        for matter in Matter.objects.filter(is_active=True).order_by("category", "sort_order", "code"):
            used_by.extend((matter, stage_label(stage)) for stage in list(matter.stages) or [""]
                           if effective_scope(matter, stage, present) == key)
    return {
        "tier": tier, "key": key, "index": index, "below": below, "above": above, "tiers": tiers,
        "range": range_label(tier.min_amount, above.min_amount if above else None) if index is not None else "",
        "scope": tier.matter.name if key[0] == "matter" else scope_label(key), "stage": stage_label(key[2]),
        "steps": list(tier.steps.all()), "used_by": used_by,
    }

# --- rounds and what a resubmission changed ---------------------------------------------------
#
# A round runs from a submission (提交 / 重新提交) to what ended it: the return to the applicant,
# the rejection, the withdrawal, the stage's or the whole form's approval — or it is still in
# approval. Rounds are read from the trail (every entry keeps the form's content at that moment,
# approvals.trail.case_snapshot), so the page needs no store of its own and no query per round.

A = Action.Kind
SUBMISSIONS = (A.SUBMIT, A.RESUBMIT)
ROUND_ENDS = (A.RETURN, A.REJECT, A.WITHDRAW, A.STAGE, A.FINISH)


@dataclass
class Round:
    number: int  # within its stage: 第N轮
    stage: int
    stage_label: str
    submitted: Action
    ended: Action | None = None
    working_hours: float = 0.0
    elapsed: timedelta = timedelta(0)

    @property
    def is_resubmission(self) -> bool:
        return self.submitted.kind == A.RESUBMIT

    @property
    def returned(self) -> bool:
        return self.ended is not None and self.ended.kind == A.RETURN

    @property
    def note(self) -> str:
        """The applicant's note on the resubmission (修改说明); an entry written before the
        note had its own key carries it in its comment."""
        if not self.is_resubmission:
            return ""
        snap = self.submitted.snapshot or {}
        return snap["note"] if "note" in snap else self.submitted.comment

    @property
    def outcome(self) -> str:
        if self.ended is None:
            return str(_("In approval"))
        return {
            A.RETURN: _("Returned for changes"), A.REJECT: _("Rejected"), A.WITHDRAW: _("Withdrawn"),
            A.STAGE: _("Stage approved"), A.FINISH: _("Approved"),
        }[self.ended.kind]

    @property
    def decided_by(self) -> str:
        """Who returned or rejected it: "B 代 A" for a stand-in."""
        a = self.ended
        if a is None or a.kind not in (A.RETURN, A.REJECT) or a.actor is None:
            return ""
        name = a.actor.get_full_name()
        return f"{name} 代 {a.on_behalf_of.get_full_name()}" if a.on_behalf_of_id else name

    @property
    def waiting(self) -> str:
        return working_time_zh(self.working_hours)


def working_time_zh(hours: float) -> str:
    """Working time as people say it: "2天3小时" (a day is one working day of office hours),
    "3小时15分", "40分钟"."""
    minutes = int(round(hours * 60))
    day = int(round(workday_hours() * 60)) or 24 * 60
    days, rest = divmod(minutes, day)
    h, m = divmod(rest, 60)
    if days:
        return f"{days}天{h}小时" if h else f"{days}天"
    if h:
        return f"{h}小时{m}分" if m else f"{h}小时"
    return f"{m}分钟"


def case_rounds(case: Case, actions=None, *, calendar: WorkCalendar | None = None, now=None) -> list[Round]:
    """The case's rounds in order, from its trail (``actions``: the case page's list, in id
    order; read here when not given). Waiting times count office hours on working days."""
    if actions is None:
        actions = list(Action.objects.filter(case=case).select_related("actor", "on_behalf_of").order_by("id"))
    rounds: list[Round] = []
    per_stage: dict[int, int] = {}
    keys = case.stage_list
    for a in actions:
        if a.kind in SUBMISSIONS:
            stage = (a.snapshot or {}).get("stage", 0)
            per_stage[stage] = per_stage.get(stage, 0) + 1 if a.kind == A.RESUBMIT else 1
            rounds.append(Round(
                number=per_stage[stage], stage=stage,
                stage_label=registry.stage_labels([keys[stage]]) if stage < len(keys) else "",
                submitted=a,
            ))
        elif a.kind in ROUND_ENDS and rounds and rounds[-1].ended is None:
            rounds[-1].ended = a
    if rounds:
        calendar = calendar or WorkCalendar.load()
        now = now or timezone.now()
        for r in rounds:
            end = r.ended.created_at if r.ended else now
            r.elapsed = max(end - r.submitted.created_at, timedelta(0))
            r.working_hours = calendar.working_hours_between(r.submitted.created_at, end)
    return rounds


@dataclass(frozen=True)
class Change:
    """One field that differs between two submissions: ``group`` is empty for the header,
    else the stage section's label."""

    group: str
    label: str
    old: str
    new: str


def _attachment_names(rows) -> dict[tuple, str]:
    return {tuple(r): f"{r[0]}：{r[1]}" for r in rows}


def _changes(old: dict, new: dict) -> list[Change]:
    changes = [
        Change("", str(label), fmt(old.get(key)), fmt(new.get(key)))
        for key, label, fmt in (
            ("title", _("Title"), plain_value), ("reason", _("Reason"), plain_value), ("amount", _("Amount"), money_text),
        )
        if fmt(old.get(key)) != fmt(new.get(key))
    ]
    if "attachments" in old and "attachments" in new:  # entries before materials were recorded: unknown
        before, after = _attachment_names(old["attachments"]), _attachment_names(new["attachments"])
        added = [name for key, name in after.items() if key not in before]
        removed = [name for key, name in before.items() if key not in after]
        if added:
            changes.append(Change("", str(_("Attachments added")), "", "、".join(added)))
        if removed:
            changes.append(Change("", str(_("Attachments removed")), "、".join(removed), ""))
    old_sections, new_sections = old.get("sections") or {}, new.get("sections") or {}
    for key in dict.fromkeys([*old_sections, *new_sections]):
        a, b = old_sections.get(key), new_sections.get(key)
        if a == b:
            continue
        section = registry.get(key) or registry.CaseSection()
        group = str(section.label) if section.label else key
        before, after = dict(section.describe(a) if a else []), dict(section.describe(b) if b else [])
        for label in dict.fromkeys([*before, *after]):
            if before.get(label, "") != after.get(label, ""):
                changes.append(Change(group, str(label), before.get(label, ""), after.get(label, "")))
    return changes


def resubmission(case: Case, actions=None, *, now=None) -> dict | None:
    """The case page's card of a resubmission, or None: shown when the latest submission of the
    case's current stage resubmitted a returned form. Compares what the last two submissions
    held (their trail snapshots) and lists every round with its waiting time."""
    if actions is None:
        actions = list(Action.objects.filter(case=case).select_related("actor", "on_behalf_of").order_by("id"))
    submissions = [a for a in actions if a.kind in SUBMISSIONS]
    if not submissions or submissions[-1].kind != A.RESUBMIT or (submissions[-1].snapshot or {}).get("stage", 0) != case.stage:
        return None
    rounds = case_rounds(case, actions, now=now)
    current, previous = rounds[-1], rounds[-2]
    return {
        "current": current,
        "previous": previous,
        "rounds": rounds,
        "several_stages": len({r.stage for r in rounds}) > 1,
        "changes": _changes(previous.submitted.snapshot or {}, current.submitted.snapshot or {}),
    }


def resubmission_diff(case: Case, actions=None) -> list[Change]:
    """What the last resubmission changed against the submission before it: the header fields
    (title, reason, amount, materials added or removed) and each stage section's fields, as
    (group, label, old, new); empty when nothing changed or the case was never resubmitted."""
    card = resubmission(case, actions)
    return card["changes"] if card else []
