"""Forms of the payment desk: they normalise input; the service decides."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin
from core.money import MoneyField

from .models import PayeeKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OTHER = "other"


class PayForm(BootstrapMixin, forms.Form):
    payee = forms.ChoiceField(label=_("Payee"))
    other_kind = forms.ChoiceField(
        label=_("Other payee is a"), required=False,
        choices=[(PayeeKind.SUPPLIER, PayeeKind.SUPPLIER.label), (PayeeKind.ORGANISATION, PayeeKind.ORGANISATION.label)],
    )
    other_name = forms.CharField(label=_("Other payee's name"), max_length=200, required=False)
    bank_name = forms.CharField(label=_("Bank"), max_length=100, required=False)
    bank_account = forms.CharField(label=_("Bank account"), max_length=40, required=False)
    amount = MoneyField(label=_("Amount (yuan)"))
    invoice_code = forms.CharField(label=_("Invoice code"), max_length=40, required=False)
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=60, required=False)
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE, initial=timezone.localdate)
    bank_reference = forms.CharField(label=_("Bank reference"), max_length=60, required=False)

    def __init__(self, *args, payees, other_payees: bool, left=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(p.key, f"{p.name}（{PayeeKind(p.kind).label}）") for p in payees]
        if other_payees:
            choices.append((OTHER, str(_("Another supplier or organisation (give its name below)"))))
        else:
            del self.fields["other_kind"]
            del self.fields["other_name"]
        self.fields["payee"].choices = choices
        if left is not None and not self.is_bound:
            self.fields["amount"].initial = f"{left:.2f}"

    def payee_args(self) -> dict:
        """(payee_kind, payee_ref, payee_name) for the service."""
        value = self.cleaned_data["payee"]
        if value == OTHER:
            return {"payee_kind": self.cleaned_data.get("other_kind") or PayeeKind.ORGANISATION, "payee_ref": None,
                    "payee_name": self.cleaned_data.get("other_name") or ""}
        kind, _sep, ref = value.partition(":")
        return {"payee_kind": kind, "payee_ref": ref or None, "payee_name": ""}


class RefundForm(BootstrapMixin, forms.Form):
    amount = MoneyField(label=_("Refunded amount (yuan)"))
    paid_on = forms.DateField(label=_("Received on"), widget=DATE, initial=timezone.localdate)
    bank_reference = forms.CharField(label=_("Bank reference"), max_length=60, required=False)


class VoidForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)
