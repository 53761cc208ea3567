from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from approvals import rules as registry
from core.admin import ReadOnlyAdmin

from .models import RiskWarning, RuleSetting, Run


class RuleSettingForm(forms.ModelForm):
    """A rule's settings, its parameters as one field each, labelled as the rule names them
    (with the regulation they come from); a value that is not a number is refused."""

    class Meta:
        model = RuleSetting
        fields = ("code", "enabled", "severity", "mode", "notify_roles")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule = registry.get_rule(self.instance.code) if self.instance.code else None
        if self.rule is None:
            return
        values = {**self.rule.defaults(), **(self.instance.params or {})}
        for name in self.rule.params:
            if f"param_{name}" in self.fields:
                self.fields[f"param_{name}"].initial = str(values[name])

    def clean_code(self):
        code = self.cleaned_data["code"]
        if registry.get_rule(code) is None:
            raise forms.ValidationError(_("No rule has this code. Rules: %(codes)s") % {
                "codes": "、".join(registry.rules())})
        return code

    def clean(self):
        data = super().clean()
        if self.rule is None:
            return data
        params = {}
        for name, param in self.rule.params.items():
            raw = (data.get(f"param_{name}") or "").strip()
            try:
                value = type(param.default)(raw)
            except (InvalidOperation, ValueError, TypeError):
                self.add_error(f"param_{name}", _("%(value)s is not a number.") % {"value": raw})
                continue
            if value < 0:
                self.add_error(f"param_{name}", _("It may not be negative."))
                continue
            params[name] = str(value) if isinstance(value, Decimal) else value
        self.cleaned_params = params
        return data

    def save(self, commit=True):
        if self.rule is not None and hasattr(self, "cleaned_params"):
            self.instance.params = self.cleaned_params
        return super().save(commit)


@admin.register(RuleSetting)
class RuleSettingAdmin(SimpleHistoryAdmin):
    form = RuleSettingForm
    list_display = ("code", "title", "enabled", "severity", "mode", "params_label")
    list_filter = ("enabled", "severity", "mode")
    list_editable = ("enabled",)

    @admin.display(description=_("parameters"))
    def params_label(self, obj):
        rule = registry.get_rule(obj.code)
        if rule is None:
            return "—"
        values = {**rule.defaults(), **(obj.params or {})}
        return "；".join(f"{p.label}：{values[name]}" for name, p in rule.params.items()) or "—"

    base_fields = ("code", "enabled", "severity", "mode", "notify_roles")

    def get_fields(self, request, obj=None):
        return [*self.base_fields, *self._param_fields(obj)]

    def get_form(self, request, obj=None, **kwargs):
        rule = registry.get_rule(obj.code) if obj else None
        declared = {
            f"param_{name}": forms.CharField(label=p.label, help_text=p.regulation, max_length=20)
            for name, p in (rule.params.items() if rule else ())
        }
        kwargs["form"] = type("RuleSettingParamsForm", (RuleSettingForm,), declared)
        return super().get_form(request, obj, **kwargs)

    def _param_fields(self, obj):
        rule = registry.get_rule(obj.code) if obj else None
        return [f"param_{name}" for name in rule.params] if rule else []

    @admin.display(description=_("rule"))
    def title(self, obj):
        rule = registry.get_rule(obj.code)
        return rule.title if rule else "—"


@admin.register(RiskWarning)
class RiskWarningAdmin(ReadOnlyAdmin):
    list_display = ("rule_code", "severity", "message", "unit", "status", "owner", "opened_at")
    list_select_related = ("unit", "owner")
    list_filter = ("rule_code", "severity", "status")
    search_fields = ("message",)


@admin.register(Run)
class RunAdmin(ReadOnlyAdmin):
    list_display = ("kind", "status", "started_at", "ended_at", "findings", "opened", "closed")
    list_filter = ("kind", "status")
