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
    class Meta:
        model = RuleSetting
        fields = ("code", "enabled", "severity", "mode", "params", "notify_roles")

    def clean_code(self):
        code = self.cleaned_data["code"]
        if registry.get_rule(code) is None:
            raise forms.ValidationError(_("No rule has this code. Rules: %(codes)s") % {
                "codes": "、".join(registry.rules())})
        return code

    def clean(self):
        data = super().clean()
        rule = registry.get_rule(data.get("code") or "")
        params = data.get("params")
        if rule is None or params is None:
            return data
        if not isinstance(params, dict):
            self.add_error("params", _("Give the parameters as {\"name\": value}."))
            return data
        unknown = set(params) - set(rule.params)
        if unknown:
            self.add_error("params", _("Unknown parameter(s): %(names)s. The rule takes: %(known)s.") % {
                "names": "、".join(sorted(unknown)), "known": "、".join(rule.params)})
            return data
        for name, value in params.items():
            default = rule.params[name].default
            try:
                parsed = type(default)(str(value))
            except (InvalidOperation, ValueError, TypeError):
                self.add_error("params", _("%(name)s: %(value)s is not a number.") % {"name": name, "value": value})
                continue
            if isinstance(parsed, (int, Decimal)) and parsed < 0:
                self.add_error("params", _("%(name)s may not be negative.") % {"name": name})
        return data


@admin.register(RuleSetting)
class RuleSettingAdmin(SimpleHistoryAdmin):
    form = RuleSettingForm
    list_display = ("code", "title", "enabled", "severity", "mode", "params")
    list_filter = ("enabled", "severity", "mode")
    list_editable = ("enabled",)

    @admin.display(description=_("rule"))
    def title(self, obj):
        rule = registry.get_rule(obj.code)
        return rule.title if rule else "—"


@admin.register(RiskWarning)
class RiskWarningAdmin(ReadOnlyAdmin):
    list_display = ("rule_code", "severity", "message", "unit", "status", "owner", "opened_at")
    list_filter = ("rule_code", "severity", "status")
    search_fields = ("message",)


@admin.register(Run)
class RunAdmin(ReadOnlyAdmin):
    list_display = ("kind", "status", "started_at", "ended_at", "findings", "opened", "closed")
    list_filter = ("kind", "status")
