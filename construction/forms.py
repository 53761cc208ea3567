"""Forms of the project pages: they normalise input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assets.models import AssetClass
from budget.models import BudgetLine
from contracts.models import Contract
from core.money import MoneyField
from org.models import Unit

from .models import ChangeOrder, ContractRole, Project, ProjectKind

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"})
FUNDING_ROWS = 3
ASSET_ROWS = 3


def _small(form):
    for f in form.fields.values():
        w = f.widget
        if isinstance(w, forms.Select):
            w.attrs.setdefault("class", "form-select form-select-sm")
        elif not isinstance(w, forms.CheckboxInput):
            w.attrs.setdefault("class", "form-control form-control-sm")


class Small(forms.Form):
    """A form of the project page: compact Bootstrap widgets."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _small(self)


class LedgerFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    kind = forms.ChoiceField(label=_("Type"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=50)

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        year = timezone.localdate().year
        self.fields["year"].choices = [("", _("All years"))] + [(y, str(y)) for y in range(year, year - 5, -1)]
        units = Unit.objects.all() if scope is None else Unit.objects.filter(pk__in=scope)
        self.fields["unit"].queryset = units.order_by("sort_order", "code")
        self.fields["status"].choices = [("", _("All"))] + list(Project.Status.choices)
        self.fields["kind"].choices = [("", _("All"))] + list(ProjectKind.choices)
        _small(self)

    def values(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        d = self.cleaned_data
        return {"year": d.get("year"), "unit_id": d["unit"].pk if d.get("unit") else None, "status": d.get("status") or "",
                "kind": d.get("kind") or "", "q": (d.get("q") or "").strip()}


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("Project name"), max_length=200)
    location = forms.CharField(label=_("Location"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=ProjectKind.choices)
    estimate = MoneyField(label=_("Investment estimate 投资估算 (yuan)"))
    necessity = forms.CharField(label=_("Necessity"), widget=forms.Textarea(attrs={"rows": 3}))
    scale = forms.CharField(label=_("Scale and content"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        lines = BudgetLine.objects.filter(unit_id=user.unit_id, year=timezone.localdate().year).order_by("project", "id")
        for i in range(FUNDING_ROWS):
            self.fields[f"line_{i}"] = forms.ModelChoiceField(label=_("Budget line %(n)s") % {"n": i + 1}, queryset=lines,
                                                              required=i == 0)
            self.fields[f"amount_{i}"] = MoneyField(label=_("Amount %(n)s (yuan)") % {"n": i + 1}, required=i == 0)
        _small(self)

    def funding(self) -> list[tuple]:
        d = self.cleaned_data
        return [(d.get(f"line_{i}"), d.get(f"amount_{i}")) for i in range(FUNDING_ROWS) if d.get(f"line_{i}")]


class BudgetForm(Small):
    amount = MoneyField(label=_("初步设计概算 (yuan)"))


class LinkForm(forms.Form):
    contract = forms.ModelChoiceField(label=_("Contract"), queryset=Contract.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=ContractRole.choices)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = (Contract.objects.filter(unit_id=project.unit_id, project_link__isnull=True,
                                                                    status__in=(Contract.Status.ACTIVE, Contract.Status.COMPLETED))
                                            .select_related("supplier").order_by("-signed_on"))
        self.fields["contract"].label_from_instance = lambda c: f"{c.number} {c.title} {c.supplier.name} ¥{c.amount:,.2f}"
        _small(self)


class DateForm(Small):
    on = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)


class ProgressForm(Small):
    reported_on = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    work_done = MoneyField(label=_("Value of work done to date (yuan)"))
    note = forms.CharField(label=_("Progress"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    photo = forms.FileField(label=_("Site photo"), required=False)


class ChangeForm(Small):
    kind = forms.ChoiceField(label=_("Kind"), choices=ChangeOrder.Kind.choices)
    amount = MoneyField(label=_("Amount (yuan)"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class PaymentForm(Small):
    amount = MoneyField(label=_("Amount (yuan)"))
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=30)


class SettlementForm(Small):
    amount = MoneyField(label=_("Settlement submitted (yuan)"))
    audited_amount = MoneyField(label=_("Audited amount (yuan)"))
    retention = MoneyField(label=_("Retention money (yuan)"), allow_zero=True)
    defects_until = forms.DateField(label=_("Defect-liability period until"), widget=DATE)
    auditor = forms.CharField(label=_("Audit firm"), max_length=200)


class FinalForm(Small):
    total_cost = MoneyField(label=_("Total cost in the final accounts (yuan)"))
    on = forms.DateField(label=_("Approved on"), widget=DATE, initial=timezone.localdate)


class HandoverForm(forms.Form):
    on = forms.DateField(label=_("Handed over on"), widget=DATE, initial=timezone.localdate)
    receiving_unit = forms.ModelChoiceField(label=_("Receiving unit"), queryset=Unit.objects.order_by("sort_order", "code"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(ASSET_ROWS):
            self.fields[f"name_{i}"] = forms.CharField(label=_("Asset %(n)s") % {"n": i + 1}, required=i == 0, max_length=200)
            self.fields[f"class_{i}"] = forms.ChoiceField(label=_("Class"), choices=AssetClass.choices, required=False)
            self.fields[f"value_{i}"] = MoneyField(label=_("Value (yuan)"), required=i == 0)
        _small(self)

    def items(self) -> list[dict]:
        d = self.cleaned_data
        return [{"name": d.get(f"name_{i}"), "asset_class": d.get(f"class_{i}"), "value": d.get(f"value_{i}")}
                for i in range(ASSET_ROWS) if d.get(f"name_{i}")]
