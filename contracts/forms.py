"""Forms of contracts: they normalise input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.forms import PeoplePicker
from approvals.money import format_yuan
from core.forms import BootstrapMixin
from core.money import MoneyField
from org.models import Unit, User
from procurement.forms import DATE, SupplierChoiceField, money_field
from procurement.models import Supplier
from procurement.rows import Column, RowsField

from . import selectors
from .models import Acceptance, Contract, ContractCategory, PaymentTerm, Supplement


def term_columns():
    decimal_errors = {"invalid": _("not a number"), "max_decimal_places": _("at most 2 decimal places"),
                      "min_value": _("must be greater than zero"), "max_value": _("at most 100")}
    return [
        Column("kind", _("Milestone"), forms.ChoiceField(choices=[("", "—")] + list(PaymentTerm.Kind.choices),
               error_messages={"required": _("choose the milestone")}), kind="select"),
        Column("name", _("Description"), forms.CharField(required=False, max_length=100)),
        Column("percent", _("Percent"), forms.DecimalField(required=False, max_digits=5, decimal_places=2, min_value=0.01,
               max_value=100, error_messages=decimal_errors), kind="percent"),
        Column("amount", _("Amount (yuan)"), MoneyField(required=False), kind="money"),
        Column("trigger", _("Trigger"), forms.ChoiceField(choices=[("", "—")] + list(PaymentTerm.Trigger.choices),
               error_messages={"required": _("choose the trigger")}), kind="select"),
        Column("due_date", _("Due date"), forms.DateField(required=False, error_messages={"invalid": _("not a date")}), kind="date"),
    ]


def terms_rows(terms) -> list[dict]:
    return [{"kind": t.kind, "name": t.name, "percent": t.percent, "amount": t.amount, "trigger": t.trigger,
             "due_date": t.due_date} for t in terms]


class TermChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, t):
        c = t.contract
        return f"{c.number} {c.supplier.name} · {t.label} {format_yuan(t.amount)}"


class UserChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, u):
        return f"{u.get_full_name()}（{u.unit.name if u.unit_id else '—'}）"


# --- case sections ---------------------------------------------------------------------------------------
class ContractSectionForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Contract title"), max_length=200)
    supplier = SupplierChoiceField(label=_("Supplier (other party)"), queryset=Supplier.objects.none(), required=False)
    category = forms.ChoiceField(label=_("Category"), choices=ContractCategory.choices)
    amount = money_field(_("Contract amount (yuan)"))
    signed_on = forms.DateField(label=_("Signing date"), widget=DATE)
    start_date = forms.DateField(label=_("Term from"), widget=DATE)
    end_date = forms.DateField(label=_("Term until"), widget=DATE)
    summary = forms.CharField(label=_("Main terms"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Subject, quantity, quality, delivery, warranty, liability for breach."))
    terms = RowsField(columns=[], label=_("Payment terms"))

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        from .services import _award_of

        self.award = _award_of(case) if case is not None else None
        self.fields["terms"] = RowsField(
            columns=term_columns(), label=_("Payment terms"), min_rows=4, extra=2, required=True,
            help_text=_("Give a percent or an amount per milestone; together they must equal the contract amount. "
                        "Retention money (质保金) is released on its date."),
        )
        if self.award is not None:
            del self.fields["supplier"]
            self.fields["category"].disabled = True
            self.fields["amount"].help_text = _("Awarded to %(supplier)s for %(amount)s: the contract may not exceed it.") % {
                "supplier": self.award.supplier.name, "amount": format_yuan(self.award.amount)}
        else:
            self.fields["supplier"].queryset = Supplier.objects.filter(blacklisted=False).order_by("name")
            self.fields["supplier"].required = True

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The contract term ends before it starts."))
        return data


class AcceptanceSectionForm(BootstrapMixin, forms.Form):
    contract = forms.ModelChoiceField(label=_("Contract"), queryset=Contract.objects.none(), required=False)
    accepted_on = forms.DateField(label=_("Acceptance date"), widget=DATE)
    result = forms.ChoiceField(label=_("Result"), choices=Acceptance.Result.choices)
    members = UserChoices(
        label=_("Acceptance team"), queryset=User.objects.none(), widget=PeoplePicker(),
        help_text=_("At least two people, at least one from outside the requesting unit."),
        error_messages={"required": _("Name the people who accepted.")},
    )
    opinion = forms.CharField(label=_("Opinion"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    terms = forms.ModelMultipleChoiceField(
        label=_("Milestones it unlocks"), queryset=PaymentTerm.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        own = Contract.objects.filter(case=case).first() if case is not None else None
        unit_id = case.unit_id if case is not None else user.unit_id
        if own is not None:
            del self.fields["contract"]
            contracts = Contract.objects.filter(pk=own.pk)
        else:
            contracts = Contract.objects.filter(status=Contract.Status.ACTIVE, unit_id=unit_id).select_related("supplier")
            self.fields["contract"].queryset = contracts
            self.fields["contract"].required = True
            self.fields["contract"].label_from_instance = lambda c: f"{c.number} {c.title} · {c.supplier.name}"
        self.fields["members"].queryset = User.objects.filter(is_active=True).select_related("unit").order_by("unit__sort_order", "username")
        terms = PaymentTerm.objects.filter(contract__in=contracts, is_active=True, reached_on__isnull=True).select_related("contract")
        self.fields["terms"].queryset = terms
        self.fields["terms"].label_from_instance = lambda t: f"{t.contract.number} · {t.label} {format_yuan(t.amount)}（{t.get_trigger_display()}）"


class PaymentSectionForm(BootstrapMixin, forms.Form):
    term = TermChoiceField(label=_("Contract and milestone"), queryset=PaymentTerm.objects.none(),
                           error_messages={"required": _("Choose the contract milestone this payment is for.")},
                           help_text=_("The amount to pay is the form's amount above."))
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=30, required=False)
    invoice_date = forms.DateField(label=_("Invoice date"), required=False, widget=DATE)
    invoice_amount = money_field(_("Invoice amount (yuan)"), required=False,
                                 help_text=_("Filled with the amount to pay; change it if the invoice differs."))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = selectors.payable_terms_for_case(case, user)


class SupplementSectionForm(BootstrapMixin, forms.Form):
    contract = forms.ModelChoiceField(label=_("Contract"), queryset=Contract.objects.none())
    direction = forms.ChoiceField(label=_("Change"), choices=Supplement.Direction.choices,
                                  help_text=_("The amount of an increase or decrease is the form's amount above."))
    new_end_date = forms.DateField(label=_("New end date"), required=False, widget=DATE)
    content = forms.CharField(label=_("Content of the change"), widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": _("Describe what the supplementary agreement changes.")})
    terms = RowsField(columns=[], label=_("New payment terms"))

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        unit_id = case.unit_id if case is not None else user.unit_id
        self.fields["contract"].queryset = Contract.objects.filter(status=Contract.Status.ACTIVE, unit_id=unit_id).select_related("supplier")
        self.fields["contract"].label_from_instance = lambda c: f"{c.number} {c.title} · {format_yuan(c.amount)}"
        self.fields["terms"] = RowsField(
            columns=term_columns(), label=_("New payment terms"), min_rows=3, extra=2,
            help_text=_("Milestones already reached or paid stay as they are; these rows replace the others and, with them, "
                        "must equal the new amount."),
        )


# --- pages -------------------------------------------------------------------------------------------------
class ExecutionFilterForm(BootstrapMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("Year signed"), required=False, coerce=int, empty_value=None)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.none(), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args, scope=None, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(is_active=True)
        self.fields["unit"].queryset = units if scope is None else units.filter(pk__in=scope)
        self.fields["supplier"].queryset = Supplier.objects.filter(contracts__isnull=False).distinct().order_by("name")
        this_year = timezone.localdate().year
        self.fields["year"].choices = [("", _("All years"))] + [(y, y) for y in sorted({this_year, *years}, reverse=True)]
        self.fields["status"].choices = [
            ("", _("All")), ("active", _("In force")), ("completed", _("Completed (fully paid)")),
            ("in_approval", _("In approval (countersign)")), ("ending", _("Ending within 30 days")),
            ("overdue", _("Past its end, not completed")),
        ]

    def values(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "year": data.get("year"),
            "unit_id": data["unit"].pk if data.get("unit") else None,
            "supplier_id": data["supplier"].pk if data.get("supplier") else None,
            "status": data.get("status") or None,
            "q": (data.get("q") or "").strip(),
        }


class PayForm(BootstrapMixin, forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE, initial=timezone.localdate)
    bank_reference = forms.CharField(label=_("Bank reference"), max_length=60, required=False)
