"""Forms of the budget app: they normalise input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.money import format_yuan
from org.models import Unit

from . import selectors
from .models import BudgetAdjustment, BudgetLine, FundSource

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class LineChoiceField(forms.ModelChoiceField):
    """A line with what is still available on it (lines annotated by ``with_figures``)."""

    def label_from_instance(self, obj: BudgetLine) -> str:
        available = selectors.figures_of(obj).available if hasattr(obj, "f_figures") else None
        text = f"{obj.project} · {obj.functional_code} {obj.functional_name} · {obj.economic_code} {obj.economic_name}"
        if obj.fund_source != FundSource.FISCAL:
            text += f"（{obj.get_fund_source_display()}）"
        if obj.unit_id and getattr(self, "show_unit", False):
            text = f"{obj.unit.name} · {text}"
        if available is not None:
            text += " — " + str(_("available %(amount)s") % {"amount": format_yuan(available)})
        return text


def _case_year(case) -> int:
    return case.year if case is not None else timezone.localdate().year


class BudgetSectionForm(forms.Form):
    """The budget section of a spending case: the line it spends from."""

    line = LineChoiceField(
        label=_("Budget line"),
        queryset=BudgetLine.objects.none(),
        error_messages={
            "required": _("Choose the budget line this form spends from."),
            "invalid_choice": _("This budget line cannot be used for the form (another unit or year, or closed)."),
        },
    )

    def __init__(self, *args, case=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.user = user
        unit_id = case.unit_id if case is not None else getattr(user, "unit_id", None)
        qs = BudgetLine.objects.filter(year=_case_year(case), unit_id=unit_id, is_active=True).select_related("unit")
        self.fields["line"].queryset = selectors.with_figures(qs).order_by("project", "economic_code", "id")
        self.fields["line"].widget.attrs.update({"class": "form-select", "data-budget-line": "1"})


class BudgetAdjustmentForm(forms.Form):
    """The budget-adjustment section: 追加 / 调减 one line, or 调剂 from one line to another."""

    kind = forms.ChoiceField(label=_("Adjustment"), choices=BudgetAdjustment.Kind.choices,
                             error_messages={"required": _("Choose the kind of adjustment.")})
    line = LineChoiceField(
        label=_("Budget line"), queryset=BudgetLine.objects.none(),
        help_text=_("The line increased or decreased; for a transfer, the line the money comes from."),
        error_messages={"required": _("Choose the budget line."), "invalid_choice": _("This budget line cannot be adjusted here.")},
    )
    to_line = LineChoiceField(
        label=_("To line"), queryset=BudgetLine.objects.none(), required=False,
        help_text=_("Only for a transfer: the line the money goes to."),
        error_messages={"invalid_choice": _("This budget line cannot be adjusted here.")},
    )

    def __init__(self, *args, case=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.user = user
        qs = BudgetLine.objects.filter(year=_case_year(case), is_active=True).select_related("unit")
        # the finance office adjusts any unit's lines; others their own unit's
        wide = user is not None and (user.is_superuser or selectors.can_manage_budget(user))
        if not wide:
            unit_id = case.unit_id if case is not None else getattr(user, "unit_id", None)
            qs = qs.filter(unit_id=unit_id)
        qs = selectors.with_figures(qs).order_by("unit__sort_order", "unit__code", "project", "economic_code", "id")
        for name in ("line", "to_line"):
            self.fields[name].queryset = qs
            self.fields[name].show_unit = wide
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["kind"].widget.attrs["class"] = "form-select"

    def clean(self):
        data = super().clean()
        kind, line, to_line = data.get("kind"), data.get("line"), data.get("to_line")
        if kind == BudgetAdjustment.Kind.TRANSFER:
            if not to_line:
                self.add_error("to_line", _("A transfer needs the line the money goes to."))
            elif line and to_line.pk == line.pk:
                self.add_error("to_line", _("A transfer needs two different lines."))
        else:
            data["to_line"] = None
        return data


class ImportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100,
                              error_messages={"required": _("Choose the year.")})
    file = forms.FileField(
        label=_("File (.xlsx)"),
        error_messages={"required": _("Choose the .xlsx file to import."), "empty": _("The file is empty.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
        self.fields["year"].widget.attrs["class"] = "form-control"
        self.fields["file"].widget.attrs.update({"class": "form-control", "accept": ".xlsx"})

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an .xlsx file made from the template."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class ExecutionFilterForm(forms.Form):
    """Filters of the execution table: year, unit (within what the person may see), fund source."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label=_("All units"))
    fund_source = forms.ChoiceField(label=_("Fund source"), required=False,
                                    choices=[("", _("All fund sources")), *FundSource.choices])

    def __init__(self, *args, scope=None, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        years = sorted(set(years) | {this_year}, reverse=True)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        units = Unit.objects.filter(is_active=True).order_by("sort_order", "code")
        if scope is not None:
            units = units.filter(pk__in=scope)
        self.fields["unit"].queryset = units
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"

    def values(self) -> dict:
        """Cleaned filters with defaults; invalid input falls back to the defaults."""
        data = self.cleaned_data if self.is_valid() else {}
        unit = data.get("unit")
        return {
            "year": data.get("year") or timezone.localdate().year,
            "unit_id": unit.pk if unit else None,
            "fund_source": data.get("fund_source") or None,
        }
