"""Administration of the catalogue and routing policies, usable by a non-programmer:
steps inline under their policy, Chinese labels, and validation of the amount tiers.
The trail is read-only here (and append-only in the database)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdmin

from . import registry, tiers
from .models import Action, Case, Delegation, Matter, Policy, PolicyStep, StepKind
from .money import format_yuan
from .routing import scope_key


class PolicyStepInlineForm(forms.ModelForm):
    class Meta:
        model = PolicyStep
        fields = ("order", "name", "kind", "role", "field", "mode", "time_limit_hours")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "added approver" steps are made at run time by 加签, never configured
        self.fields["kind"].choices = [c for c in self.fields["kind"].choices if c[0] != StepKind.ADDED]

    # a position without its role, and the role or field of a kind that has none: PolicyStep.clean


class PolicyStepFormSet(forms.BaseInlineFormSet):
    def clean(self):
        # ours first: the formset's own unique check would name the column "order" in English
        orders = [
            f.cleaned_data.get("order") for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE", False)
        ]
        if len(orders) != len(set(orders)):
            raise ValidationError(_("Two steps have the same order; number the steps 1, 2, 3, …"))
        super().clean()


class PolicyStepInline(admin.TabularInline):
    model = PolicyStep
    form = PolicyStepInlineForm
    formset = PolicyStepFormSet
    extra = 1
    min_num = 0  # a tier without steps files the stage without approval (e.g. a small purchase's method)
    ordering = ("order",)


class PolicyForm(forms.ModelForm):
    class Meta:
        model = Policy
        fields = ("matter", "category", "stage", "min_amount", "on_unresolved", "is_active")

    def clean(self):
        data = super().clean()
        matter, category = data.get("matter"), data.get("category") or ""
        if matter and category:
            raise ValidationError(_("A policy applies either to one matter or to one category, not both."))
        if matter is None:
            data["category"] = category
        start = data.get("min_amount")
        if start is None:
            return data
        siblings = Policy.objects.filter(matter=matter, category="" if matter else category,
                                         stage=data.get("stage") or "", is_active=True)
        if self.instance.pk:
            siblings = siblings.exclude(pk=self.instance.pk)
        if siblings.filter(min_amount=start).exists():
            raise ValidationError(
                _("Another tier of this scope already starts at %(amount)s: two tiers would overlap.")
                % {"amount": format_yuan(start)}
            )
        active = data.get("is_active", True)
        starts = sorted([s for s in siblings.values_list("min_amount", flat=True)] + ([start] if active else []))
        if starts and starts[0] != 0:
            raise ValidationError(
                _("The lowest tier of a scope must start at ¥0.00; otherwise amounts below %(amount)s would have no route.")
                % {"amount": format_yuan(starts[0])}
            )
        return data


@admin.register(Policy)
class PolicyAdmin(SimpleHistoryAdmin):
    form = PolicyForm
    inlines = [PolicyStepInline]
    list_display = ("name", "scope", "stage", "range_label", "step_chain", "on_unresolved", "is_active")
    readonly_fields = ("name",)
    list_filter = ("is_active", "category", "stage", "matter__category")
    search_fields = ("name", "matter__name")
    autocomplete_fields = ("matter",)

    @admin.display(description=_("scope"))
    def scope(self, obj):
        return obj.scope_label

    @admin.display(description=_("amount range"))
    def range_label(self, obj):
        return tiers.range_label(obj.min_amount, obj.upper_bound())

    @admin.display(description=_("steps"))
    def step_chain(self, obj):
        return " → ".join(s.label for s in obj.steps.all())

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("matter").prefetch_related("steps")

    def save_model(self, request, obj, form, change):
        """The tier is named from its range before it is saved; then the scope is renamed
        (the tier below now ends elsewhere), and the scope it left too if it moved."""
        old = None
        if change and form.initial:
            old = scope_key(Policy(matter_id=form.initial.get("matter"), category=form.initial.get("category") or "",
                                   stage=form.initial.get("stage") or ""))
        obj.name = tiers.expected_name(obj)
        super().save_model(request, obj, form, change)
        tiers.rename_scope(scope_key(obj), actor=request.user)
        if old is not None and old != scope_key(obj):
            tiers.rename_scope(old, actor=request.user)

    def delete_model(self, request, obj):
        key = scope_key(obj)
        super().delete_model(request, obj)
        tiers.rename_scope(key, actor=request.user)

    def delete_queryset(self, request, queryset):
        keys = {scope_key(p) for p in queryset}
        super().delete_queryset(request, queryset)
        for key in sorted(keys, key=str):
            tiers.rename_scope(key, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        # The ¥0 tier cannot go while higher tiers of its scope remain: that would leave a gap.
        if obj is not None and obj.min_amount == 0 and obj.scope_queryset().exclude(pk=obj.pk).exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Matter)
class MatterAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "category", "spends_money", "stages_label", "functional_field", "low_risk", "is_active")
    list_filter = ("category", "spends_money", "is_active", "low_risk")
    search_fields = ("code", "name")
    list_editable = ("is_active",)

    @admin.display(description=_("stage sections"))
    def stages_label(self, obj):
        return registry.stage_labels(obj.stages)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        available = "、".join(f"{s.label}（{key}）" for key, s in registry.all_sections().items())
        form.base_fields["stages"].help_text = _(
            "Keys of the sections the case gains, in order, separated by commas. Available: %(sections)s."
        ) % {"sections": available}
        return form


@admin.register(Delegation)
class DelegationAdmin(SimpleHistoryAdmin):
    list_display = ("principal", "deputy", "start", "end", "category", "is_active")
    list_select_related = ("principal", "deputy")
    list_filter = ("is_active", "category")
    autocomplete_fields = ("principal", "deputy")


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    """Read-only view for administrators; cases change only through their transitions."""

    list_display = ("number", "title", "matter", "unit", "applicant", "amount", "status", "created_at")
    list_filter = ("status", "category", "year")
    search_fields = ("number", "title")
    list_select_related = ("matter", "unit", "applicant")
    exclude = ["stages"]  # shown by label below
    readonly_fields = [f.name for f in Case._meta.fields if f.name != "stages"] + ["stages_label"]

    @admin.display(description=_("stage sections"))
    def stages_label(self, obj):
        return registry.stage_labels(obj.stage_list)


@admin.register(Action)
class ActionAdmin(ReadOnlyAdmin):
    """The trail: visible, never editable or deletable (the database refuses too)."""

    list_display = ("id", "case", "kind", "actor", "on_behalf_of", "created_at", "short_hash")
    list_filter = ("kind",)
    search_fields = ("case__number",)
    list_select_related = ("case", "actor", "on_behalf_of")
    readonly_fields = [f.name for f in Action._meta.fields]

    @admin.display(description=_("hash"))
    def short_hash(self, obj):
        return obj.hash[:12]
