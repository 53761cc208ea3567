"""Forms of procurement: they normalise input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.money import format_yuan
from core.forms import BootstrapMixin
from org.models import Unit

from . import selectors
from .methods import Method
from core.money import MoneyField

from .models import Award, Purchase, PurchaseCategory, Supplier
from .rows import Column, RowsField
from .validators import validate_credit_code

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def money_field(label, **kwargs):
    """An amount in yuan, read by the system's one money parser (core.money)."""
    field = MoneyField(label=label, **kwargs)
    field.widget.attrs.update({"class": "money", "autocomplete": "off"})
    return field


class SupplierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{_('blacklisted')}）" if obj.blacklisted else obj.name


# --- suppliers ------------------------------------------------------------------------------------
class SupplierForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Supplier
        fields = ["name", "credit_code", "legal_representative", "address", "contact_person", "phone", "email",
                  "bank_name", "bank_account", "is_sme", "note"]

    confirm_org_code = forms.BooleanField(
        label=_("I have compared the code with the registration certificate: it is exactly as printed there."),
        required=False,
        help_text=_("Needed only when the organisation code inside the credit code fails its GB 11714 check."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["credit_code"].help_text = _("18 characters, as on the business licence; the check character is verified (GB 32100-2015).")
        self.fields["credit_code"].widget.attrs.update({"autocomplete": "off", "maxlength": "22", "class": "form-control font-monospace"})

    def clean_credit_code(self):
        return validate_credit_code(self.cleaned_data.get("credit_code", ""))

    def validate_unique(self):
        """Duplicates are detected by the service, with the name of the existing record."""


class QualificationForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Qualification"), max_length=100)
    number = forms.CharField(label=_("Certificate number"), max_length=60, required=False)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DATE, help_text=_("Empty: no expiry."))
    file = forms.FileField(label=_("Scan"), required=False)


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Give the reason.")})


class SupplierFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Name or credit code"), required=False)
    blacklisted = forms.ChoiceField(
        label=_("Blacklist"), required=False,
        choices=[("", _("All")), ("0", _("Not blacklisted")), ("1", _("Blacklisted"))],
    )
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        years = sorted({this_year, *years}, reverse=True)
        self.fields["year"].choices = [(y, y) for y in years]

    def values(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {"q": (data.get("q") or "").strip(), "blacklisted": data.get("blacklisted") or "",
                "year": data.get("year") or timezone.localdate().year}


class PurchaseFilterForm(BootstrapMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    method = forms.ChoiceField(label=_("Method"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    q = forms.CharField(label=_("Search"), required=False)

    def __init__(self, *args, scope=None, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(is_active=True)
        self.fields["unit"].queryset = units if scope is None else units.filter(pk__in=scope)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [("", _("All years"))] + [(y, y) for y in sorted({this_year, *years}, reverse=True)]
        self.fields["category"].choices = [("", _("All"))] + list(PurchaseCategory.choices)
        self.fields["method"].choices = [("", _("All"))] + list(Method.choices)
        self.fields["status"].choices = [("", _("All"))] + list(Purchase.Status.choices)


# --- case sections ----------------------------------------------------------------------------------------
class PurchaseSectionForm(BootstrapMixin, forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=PurchaseCategory.choices)
    item_class = forms.CharField(label=_("Item class"), max_length=60,
                                 help_text=_("What is bought, e.g. office equipment, property services."))
    method = forms.ChoiceField(label=_("Procurement method"), choices=Method.choices)
    platform_number = forms.CharField(label=_("Platform project number"), max_length=60, required=False,
                                      help_text=_("For government procurement through the platform."))
    deviation_approval = forms.CharField(
        label=_("Approval for another method (document no.)"), max_length=100, required=False,
        help_text=_("Only above the open-tender threshold, if the finance department approved another method (政府采购法第二十七条)."),
    )
    single_source_reason = forms.ChoiceField(
        label=_("Single-source ground"), required=False, choices=[("", "—")] + list(Purchase.SingleSourceReason.choices)
    )
    justification = forms.CharField(label=_("Single-source justification (论证意见)"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    publicity_start = forms.DateField(label=_("Publicity from"), required=False, widget=DATE)
    publicity_end = forms.DateField(label=_("Publicity until"), required=False, widget=DATE)
    publicity_place = forms.CharField(label=_("Published at"), max_length=100, required=False,
                                      help_text=_("Where the single-source publicity was published (at least 5 working days)."))

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        amount = case.amount if case is not None else None
        props = selectors.proposals(amount)
        if props:
            text = "；".join(f"{label}：{req.proposed_label}" for label, req in props)
            self.fields["method"].help_text = _("For %(amount)s the minimum method is — %(text)s.") % {
                "amount": format_yuan(amount), "text": text,
            }

    def clean(self):
        data = super().clean()
        start, end = data.get("publicity_start"), data.get("publicity_end")
        if start and end and end < start:
            self.add_error("publicity_end", _("The publicity ends before it starts."))
        return data


def quote_columns(supplier_qs):
    return [
        Column("supplier", _("Supplier"), SupplierChoiceField(queryset=supplier_qs, required=True,
               error_messages={"required": _("choose the supplier"), "invalid_choice": _("unknown supplier")}),
               kind="select", width="w-40"),
        Column("amount", _("Quoted price (yuan)"), MoneyField(error_messages={"required": _("give the price")}),
               kind="money"),
        Column("quoted_on", _("Quote date"), forms.DateField(error_messages={"required": _("give the date"), "invalid": _("not a date")}),
               kind="date"),
        Column("note", _("Note"), forms.CharField(required=False, max_length=200)),
    ]


class AwardSectionForm(BootstrapMixin, forms.Form):
    quotes = RowsField(columns=[], label=_("Quotes (market survey)"), min_rows=4, extra=2)
    winner = SupplierChoiceField(label=_("Winning supplier"), queryset=Supplier.objects.none(), required=False)
    amount = money_field(_("Award amount (yuan)"), required=False)
    reason = forms.CharField(label=_("Reason for the award"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("E.g. lowest price meeting the requirements."))

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        suppliers = Supplier.objects.order_by("name")
        self.fields["quotes"] = RowsField(columns=quote_columns(suppliers), label=_("Quotes (market survey)"), min_rows=4, extra=2,
                                          help_text=_("Upload each quotation document on the case page after saving."))
        self.fields["winner"].queryset = suppliers

    def clean(self):
        data = super().clean()
        winner = data.get("winner")
        quotes = data.get("quotes") or []
        if winner is not None and winner.pk not in {q["supplier"].pk for q in quotes}:
            self.add_error("winner", _("The winning supplier must be one of those who quoted."))
        return data


def award_initial(award: Award | None, quotes) -> dict:
    rows = [{"supplier": q.supplier_id, "amount": q.amount, "quoted_on": q.quoted_on, "note": q.note} for q in quotes]
    if award is not None:
        return {"quotes": rows, "winner": award.supplier_id, "amount": award.amount, "reason": award.reason}
    lowest = min(quotes, key=lambda q: q.amount, default=None)
    out = {"quotes": rows}
    if lowest is not None:
        out.update(winner=lowest.supplier_id, amount=lowest.amount, reason=_("Lowest price meeting the requirements."))
    return out

