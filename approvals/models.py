"""Approvals: the matter catalogue, routing policies, the case (one form through the whole
chain), its route, decisions, the tamper-evident trail, delegation, copies and notices.

Business apps never appear here: they attach their stage sections through
``approvals.registry`` and keep their own records linked to ``Case``.
"""

from __future__ import annotations

from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from core.triggers import AppendOnly, NoTruncate
from org.models import FunctionalDepartment, Role

from . import registry

MONEY = {"max_digits": 14, "decimal_places": 2}


class Category(models.TextChoices):
    DECISION = "YS", _("Decision-making")
    DOCUMENT = "BW", _("Documents")
    FINANCE = "CW", _("Finance")
    PERSONNEL = "RS", _("Personnel")
    SUPERVISION = "JD", _("Supervision")
    WORKS = "GC", _("Works")
    LOGISTICS = "HQ", _("Logistics")
    PROCUREMENT = "CG", _("Procurement")
    CONTRACT = "HT", _("Contract management")


class Matter(models.Model):
    """An entry of the matter catalogue (事项目录): data, not code."""

    class Resubmit(models.TextChoices):
        RETURNING_STEP = "returning_step", _("Back to the step that returned it")
        FROM_START = "from_start", _("From the first step")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=2, choices=Category.choices)
    description = models.TextField(_("description"), blank=True)
    spends_money = models.BooleanField(
        _("spends money"), default=False, help_text=_("Needs an amount and a budget line, reserved on submission.")
    )
    amount_required = models.BooleanField(_("amount required"), default=False)
    stages = ArrayField(
        models.CharField(max_length=30),
        verbose_name=_("stage sections"),
        default=list,
        blank=True,
        help_text=_("Keys of the sections the case gains, in order (e.g. budget, purchase, contract, payment)."),
    )
    required_attachments = ArrayField(
        models.CharField(max_length=50),
        verbose_name=_("required attachments"),
        default=list,
        blank=True,
        help_text=_("Kinds of material that must be attached before submission, one per entry."),
    )
    regulations = models.TextField(
        _("regulations and control points"),
        blank=True,
        help_text=_("Shown to the applicant while filling the form; one point per line."),
    )
    functional_field = models.CharField(
        _("functional field"),
        max_length=20,
        choices=FunctionalDepartment.Field.choices,
        blank=True,
        help_text=_("Which functional (归口) department reviews this matter."),
    )
    resubmit_mode = models.CharField(
        _("after a return, resubmit"), max_length=20, choices=Resubmit.choices, default=Resubmit.RETURNING_STEP
    )
    low_risk = models.BooleanField(
        _("low risk (batch approval allowed)"), default=False
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("matter")
        verbose_name_plural = _("matter catalogue")
        ordering = ["category", "sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.name}"

    def regulation_points(self) -> list[str]:
        return [line.strip() for line in self.regulations.splitlines() if line.strip()]

    def clean(self):
        """A stage key no app registered would silently drop that stage's control (a typo in
        "budget" and no budget line is ever reserved): refused here (the admin form calls
        it), at start-up by the system check approvals.E001, and when a case is filed."""
        super().clean()
        unknown = registry.unknown_stages(self.stages or [])
        if unknown:
            raise ValidationError({"stages": _("Unknown stage section(s): %(keys)s. Available: %(available)s.") % {
                "keys": "、".join(unknown),
                "available": "、".join(registry.all_sections()),
            }})
        if len(set(self.stages or [])) != len(self.stages or []):
            raise ValidationError({"stages": _("A stage section may appear only once.")})


class Policy(models.Model):
    """One tier of tiered delegated routing (分级授权): from ``min_amount`` up to the next
    tier's ``min_amount`` of the same scope. Tiers of one scope are contiguous by
    construction: each starts where the previous one ends, the lowest must start at 0, and
    two tiers cannot share a starting amount — so ranges never overlap nor leave gaps."""

    class Unresolved(models.TextChoices):
        REFUSE = "refuse", _("Refuse the submission and tell the administrator")
        ADMIN = "admin", _("Send the step to the administrators")

    # made from the scope and the range by approvals.tiers.tier_name whenever a range changes
    name = models.CharField(_("name"), max_length=200, editable=False)
    matter = models.ForeignKey(
        Matter, verbose_name=_("matter"), null=True, blank=True, on_delete=models.CASCADE, related_name="policies"
    )
    category = models.CharField(
        _("category"), max_length=2, choices=Category.choices, blank=True,
        help_text=_("Applies to every matter of the category that has no policy of its own."),
    )
    stage = models.CharField(
        _("stage"), max_length=30, blank=True, default="",
        help_text=_("The stage section this tier routes (e.g. award, contract, payment); empty for the whole matter."),
    )
    min_amount = models.DecimalField(
        _("from amount (yuan)"), **MONEY, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    on_unresolved = models.CharField(
        _("when a step resolves to nobody"), max_length=10, choices=Unresolved.choices, default=Unresolved.REFUSE
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("approval policy")
        verbose_name_plural = _("approval policies")
        ordering = ["matter__code", "category", "stage", "min_amount"]
        constraints = [
            models.UniqueConstraint(
                fields=["matter", "category", "stage", "min_amount"],
                name="policy_unique_tier_start",
                nulls_distinct=False,
                violation_error_message=_("Another tier of the same scope already starts at this amount."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_label(self) -> str:
        if self.matter_id:
            return str(self.matter)
        if self.category:
            return self.get_category_display()
        return str(_("All matters (default)"))

    @property
    def stage_label(self) -> str:
        if not self.stage:
            return str(_("Whole matter"))
        section = registry.get(self.stage)
        return str(section.label) if section else self.stage

    def scope_queryset(self):
        return Policy.objects.filter(matter=self.matter, category=self.category, stage=self.stage, is_active=True)

    def clean(self):
        super().clean()
        if self.stage and registry.unknown_stages([self.stage]):
            raise ValidationError({"stage": _("Unknown stage section: %(key)s.") % {"key": self.stage}})

    def upper_bound(self):
        """Where this tier ends: the next tier's start, or None (no upper limit)."""
        nxt = self.scope_queryset().filter(min_amount__gt=self.min_amount).order_by("min_amount").first()
        return nxt.min_amount if nxt else None


class StepKind(models.TextChoices):
    UNIT_HEAD = "unit_head", _("Head of the applicant's unit")
    FUNCTIONAL = "functional", _("Functional (归口) department of the matter")
    FINANCE_REVIEW = "finance_review", _("Finance review")
    LEADER_IN_CHARGE = "leader", _("Leader in charge of the applicant's unit")
    FINANCE_LEADER = "finance_leader", _("Leader in charge of finance")
    PRINCIPAL = "principal", _("Principal leader")
    COLLECTIVE = "collective", _("Collective decision (meeting)")
    POSITION = "position", _("A named position")
    SECTION = "section", _("People named by the stage (e.g. the acceptance team)")
    ADDED = "added", _("Added approver (加签)")


class StepMode(models.TextChoices):
    SINGLE = "single", _("Single")
    ALL = "all", _("Countersign by all (会签)")
    ANY = "any", _("Any one of them (或签)")


class PolicyStep(models.Model):
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="steps", verbose_name=_("policy"))
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    name = models.CharField(_("step name"), max_length=50, blank=True)
    kind = models.CharField(_("who approves"), max_length=20, choices=StepKind.choices)
    role = models.CharField(
        _("position"), max_length=30, choices=Role.choices, blank=True, help_text=_("Only for 'a named position'.")
    )
    field = models.CharField(
        _("functional field"), max_length=20, choices=FunctionalDepartment.Field.choices, blank=True,
        help_text=_("Only for the functional department: which field reviews (empty: the matter's own field)."),
    )
    mode = models.CharField(_("mode"), max_length=10, choices=StepMode.choices, default=StepMode.SINGLE)
    time_limit_hours = models.PositiveSmallIntegerField(
        _("urge after (working hours)"), default=8, validators=[MinValueValidator(1)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("policy step")
        verbose_name_plural = _("policy steps")
        ordering = ["policy", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "order"], name="policy_step_unique_order",
                violation_error_message=_("Two steps of one policy have the same order."),
            )
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self):
        super().clean()
        if self.kind == StepKind.POSITION and not self.role:
            raise ValidationError({"role": _("Choose the position for a 'named position' step.")})
        if self.kind != StepKind.POSITION:
            self.role = ""
        if self.kind != StepKind.FUNCTIONAL:
            self.field = ""

    @property
    def label(self) -> str:
        """The step's name as stored on a case's route: always in the office's language."""
        if self.name:
            return self.name
        with translation.override(settings.LANGUAGE_CODE):
            if self.kind == StepKind.POSITION and self.role:
                return str(Role(self.role).label)
            if self.kind == StepKind.FUNCTIONAL and self.field:
                return str(_("Review by %(field)s") % {"field": FunctionalDepartment.Field(self.field).label})
            return str(StepKind(self.kind).label)


class Case(models.Model):
    """One matter = one case with one number and one page (一张表单走遍全程)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_PROGRESS = "in_progress", _("In approval")
        RETURNED = "returned", _("Returned to applicant")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DELETED = "deleted", _("Draft deleted")

    # empty until the first submission: a draft gets its number when it is submitted, so drafts
    # saved and abandoned, and refused submissions, use up no numbers (unique once issued)
    number = models.CharField(_("number"), max_length=32, blank=True, default="")
    year = models.PositiveSmallIntegerField(_("year"))
    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="cases")
    category = models.CharField(_("category"), max_length=2, choices=Category.choices)
    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="cases")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="cases"
    )
    title = models.CharField(_("title"), max_length=200)
    reason = models.TextField(_("reason"), blank=True)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY, null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    stage = models.PositiveSmallIntegerField(_("stage"), default=0, help_text=_("Index into the case's stages."))
    stages = ArrayField(
        models.CharField(max_length=30), verbose_name=_("stage sections"), default=list, blank=True,
        help_text=_("The matter's stages when the case was filed: a later catalogue edit does not rewire it."),
    )
    round = models.PositiveIntegerField(_("round"), default=0)
    route_version = models.PositiveSmallIntegerField(
        _("route version"), default=0, help_text=_("Bumped when the route is rebuilt.")
    )
    policy = models.ForeignKey(
        Policy, verbose_name=_("policy"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    current_step = models.ForeignKey(
        "RouteStep", verbose_name=_("current step"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    current_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    returned_from_order = models.PositiveSmallIntegerField(_("returned from step"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "current_since"])
    # the form's materials: documents.Document rows owned by the case (Document.objects.filter(case=…))
    attachments = GenericRelation("documents.Document", content_type_field="owner_type", object_id_field="owner_id",
                                  related_query_name="case")

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["applicant", "-created_at"]),
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["status", "current_since"]),
            models.Index(fields=["year", "category"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0), name="case_amount_positive"
            ),
            models.UniqueConstraint(fields=["number"], condition=~models.Q(number=""), name="case_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.display_number} {self.title}"

    @property
    def display_number(self) -> str:
        """The number, or "draft" for a form never submitted (it has none yet)."""
        return self.number or str(_("Draft (no number yet)"))

    @property
    def stage_list(self) -> list[str]:
        return self.stages if self.stages else list(self.matter.stages)

    @property
    def stage_key(self) -> str | None:
        stages = self.stage_list
        return stages[self.stage] if self.stage < len(stages) else None

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.IN_PROGRESS, self.Status.RETURNED)


class CaseStage(models.Model):
    """What one stage of a case decided: the amount it routed by (estimate, award, contract,
    supplement's new total, payment) and the tier it took. A later stage may not go above
    the amount an earlier stage approved (unless its section allows a new, higher tier)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("In approval")
        APPROVED = "approved", _("Approved")
        CLOSED = "closed", _("Closed without approval")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stage_records", verbose_name=_("case"))
    stage = models.PositiveSmallIntegerField(_("stage"))
    key = models.CharField(_("stage section"), max_length=30, blank=True)
    amount = models.DecimalField(_("amount decided (yuan)"), **MONEY, null=True, blank=True)
    policy = models.ForeignKey(
        Policy, verbose_name=_("tier"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("stage of a case")
        verbose_name_plural = _("stages of cases")
        ordering = ["case", "stage"]
        constraints = [models.UniqueConstraint(fields=["case", "stage"], name="case_stage_unique")]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.stage} {self.key}"


class RouteStep(models.Model):
    """A step of one case's own route, copied from the policy at submission: a later policy
    change never rewires a case in flight."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACTIVE = "active", _("Waiting")
        APPROVED = "approved", _("Approved")
        AUTO_PASSED = "auto_passed", _("Auto-passed (same approver)")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="route", verbose_name=_("case"))
    stage = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveSmallIntegerField(default=1)
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("step"), max_length=50)
    kind = models.CharField(_("who approves"), max_length=20, choices=StepKind.choices)
    mode = models.CharField(_("mode"), max_length=10, choices=StepMode.choices, default=StepMode.SINGLE)
    time_limit_hours = models.PositiveSmallIntegerField(default=8)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    activated_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    last_urged_at = models.DateTimeField(null=True, blank=True)
    # collective decisions record the meeting
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    meeting_name = models.CharField(_("meeting"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("route step")
        verbose_name_plural = _("route steps")
        ordering = ["case", "stage", "version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["case", "stage", "version", "order"], name="route_step_unique_order")
        ]
        indexes = [models.Index(fields=["status", "activated_at"])]

    def __str__(self) -> str:
        return f"{self.case.number} #{self.order} {self.name}"


class StepAssignee(models.Model):
    """A person who holds (or held) a route step, with their decision for one round."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned")
        AUTO_PASSED = "auto_passed", _("Auto-passed")
        HANDED_OVER = "handed_over", _("Handed over")

    step = models.ForeignKey(RouteStep, on_delete=models.CASCADE, related_name="assignees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="step_assignments")
    round = models.PositiveIntegerField(default=1)
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("Who actually decided: the assignee or their stand-in."),
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        verbose_name = _("step assignee")
        verbose_name_plural = _("step assignees")
        ordering = ["step", "id"]
        indexes = [models.Index(fields=["user", "decision"])]
        triggers = [
            # an opinion, once given, is final: the route panel and the printed form show it
            AppendOnly(
                name="decided_assignee_final",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Condition("OLD.decision NOT IN ('', 'handed_over')"),
            ),
            NoTruncate(name="assignee_no_truncate"),
        ]
        constraints = [models.UniqueConstraint(fields=["step", "user", "round"], name="assignee_unique_round")]


def attachment_path(instance, filename):
    """Referenced by the early migrations of the former Attachment model (files are documents now)."""
    return f"cases/{instance.case.year}/{instance.case_id}/{instance.sha256[:16]}{instance.extension}"


class Delegation(models.Model):
    """A leader on leave lets a stand-in decide for them (代理) within dates and an optional scope."""

    principal = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("delegating person"), on_delete=models.CASCADE, related_name="delegations_given"
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("stand-in"), on_delete=models.CASCADE, related_name="delegations_received"
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    category = models.CharField(
        _("only for category"), max_length=2, choices=Category.choices, blank=True,
        help_text=_("Leave empty for every matter."),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="delegation_dates_ordered"),
            models.CheckConstraint(condition=~models.Q(principal=models.F("deputy")), name="delegation_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.deputy} 代 {self.principal} ({self.start} – {self.end})"


class CaseCopy(models.Model):
    """抄送: a person told of a case who may read it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="copies")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_copies")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("case copy")
        verbose_name_plural = _("case copies")
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_copy_unique")]


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=300)
    # what happened (waiting, returned, copied, ...): one unread notice per person, case and event
    event = models.CharField(_("event"), max_length=30, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            # services.notify upserts on this index (ON CONFLICT ... WHERE): keep the two in step
            models.UniqueConstraint(
                fields=["user", "case", "event"], condition=models.Q(read_at__isnull=True) & ~models.Q(event=""),
                name="notification_unread_once",
            ),
        ]


class Action(models.Model):
    """The trail (全过程留痕): append-only, each entry hashing the previous one.

    A database trigger refuses UPDATE and DELETE, so not even raw SQL through the app's
    connection can change an entry; `manage.py verify_trail` recomputes the chain."""

    class Kind(models.TextChoices):
        CREATE = "create", _("Created")
        EDIT = "edit", _("Edited")
        SUBMIT = "submit", _("Submitted")
        RESUBMIT = "resubmit", _("Resubmitted")
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        RETURN = "return", _("Returned to applicant")
        WITHDRAW = "withdraw", _("Withdrawn")
        COMMENT = "comment", _("Commented")
        URGE = "urge", _("Urged")
        AUTO_PASS = "auto_pass", _("Auto-passed")
        COPY = "copy", _("Copied to")
        ATTACH = "attach", _("Attached a file")
        REPLACE_FILE = "replace_file", _("Replaced a file")
        REMOVE_FILE = "remove_file", _("Removed a file")
        STAGE = "stage", _("Moved to next stage")
        FINISH = "finish", _("Approval complete")
        HANDOVER = "handover", _("Handed over")
        ADD_APPROVER = "add_approver", _("Added an approver")
        RETURN_TO_STEP = "return_to_step", _("Returned to an earlier step")
        PAY = "pay", _("Paid by the cashier")
        DELETE = "delete", _("Draft deleted")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="actions")
    kind = models.CharField(_("action"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("Empty for the system."),
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("on behalf of"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    step = models.ForeignKey(
        RouteStep, verbose_name=_("step"), null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    comment = models.TextField(_("comment"), blank=True)
    snapshot = models.JSONField(_("content at that moment"), default=dict)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("trail entry")
        verbose_name_plural = _("trail")
        ordering = ["id"]
        triggers = [
            AppendOnly(name="action_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
            NoTruncate(name="action_no_truncate"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"


class CaseObjectPermission(UserObjectPermissionBase):
    """Guardian's per-object permission with a real foreign key, so visibility is a join."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False
        verbose_name = _("case visibility")
        verbose_name_plural = _("case visibilities")
