from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin
from core.money import MoneyField
from org.models import FunctionalDepartment, Role, Unit, User

from .exceptions import ApprovalError
from .models import Delegation, Matter, StepKind, StepMode
from .permissions import DECIDING_ROLES, standin_refusal
from .services import RESUBMIT_NOTE_MAX, clean_amount
from documents.checks import check_upload


class CaseHeaderForm(BootstrapMixin, forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200,
        error_messages={"required": _("Please give the form a title."), "max_length": _("The title may have at most 200 characters.")},
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000)
    amount = forms.CharField(
        label=_("Amount (yuan)"), required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "0.00"}),
    )

    def __init__(self, *args, matter: Matter, **kwargs):
        super().__init__(*args, **kwargs)
        self.matter = matter
        self.amount_required = matter.amount_required or matter.spends_money
        self.fields["amount"].required = False  # checked in clean_amount with our own message
        if not (self.amount_required or matter.spends_money):
            self.fields["amount"].help_text = _("Leave empty if the matter involves no money.")

    def clean_amount(self) -> Decimal | None:
        try:
            return clean_amount(self.cleaned_data.get("amount"), required=self.amount_required)
        except ApprovalError as exc:
            raise ValidationError(exc.message, code=exc.code) from None


class ResubmitNoteForm(BootstrapMixin, forms.Form):
    """The applicant's note on a resubmission (修改说明): recorded with it in the trail and shown
    to the approvers in the card of the changes since the last round."""

    comment = forms.CharField(
        label=_("Note on the changes"), required=False, max_length=RESUBMIT_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "id": "id_resubmit_comment", "data-testid": "resubmit-note"}),
        help_text=_("Optional: what you changed since the form was returned. The approvers see it beside the changes."),
        error_messages={"max_length": _("The note on the changes may have at most %(limit_value)d characters.")},
    )


class AttachmentForm(BootstrapMixin, forms.Form):
    kind = forms.CharField(label=_("Kind of material"), max_length=50)
    file = forms.FileField(label=_("File"), error_messages={"required": _("Choose a file to upload.")})

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        if kinds:
            choices = [(k, k) for k in kinds] + [("其他材料", _("Other material"))]
            self.fields["kind"] = forms.ChoiceField(label=_("Kind of material"), choices=choices)

    def clean_file(self):
        f = self.cleaned_data["file"]
        self.facts = check_upload(f)
        return f


class DecisionForm(BootstrapMixin, forms.Form):
    DECISIONS = (
        ("approve", _("Approve")),
        ("reject", _("Reject")),
        ("return", _("Return to applicant")),
        ("return_to", _("Return to an earlier step")),
        ("handover", _("Hand over")),
        ("add", _("Add an approver")),
    )
    decision = forms.ChoiceField(choices=DECISIONS)
    person = forms.ModelChoiceField(
        label=_("Person"), required=False,
        queryset=User.objects.filter(is_active=True).select_related("unit").order_by("unit__sort_order", "username"),
    )
    target_step = forms.IntegerField(label=_("Earlier step"), required=False)
    comment = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    step_id = forms.IntegerField(widget=forms.HiddenInput)
    round = forms.IntegerField(widget=forms.HiddenInput, required=False)
    meeting_date = forms.DateField(label=_("Meeting date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    meeting_name = forms.CharField(label=_("Meeting"), required=False, max_length=100)
    minutes = forms.FileField(label=_("Meeting minutes"), required=False)

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision in ("handover", "add") and not data.get("person"):
            self.add_error("person", _("Choose the person."))
        if decision == "return_to" and not data.get("target_step"):
            self.add_error("target_step", _("Choose the step to return to."))
        return data

    def clean_minutes(self):
        f = self.cleaned_data.get("minutes")
        if f:
            self.minutes_facts = check_upload(f)
        return f


class CommentForm(BootstrapMixin, forms.Form):
    comment = forms.CharField(
        label=_("Comment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("The comment is empty.")},
    )


class CopyForm(BootstrapMixin, forms.Form):
    users = forms.ModelMultipleChoiceField(
        label=_("Copy to"), queryset=User.objects.filter(is_active=True).select_related("unit"),
        error_messages={"required": _("Choose at least one person.")},
    )


class DelegationForm(BootstrapMixin, forms.ModelForm):
    """A leader names their own stand-in; an administrator names one for any leader
    (``principal`` is then a field). The stand-in must be within the leader's scope
    (permissions.standin_refusal); a refusal names both people and saves nothing."""

    principal = forms.ModelChoiceField(
        label=_("Leader on leave"), queryset=User.objects.none(), required=False,
        error_messages={"required": _("Choose the leader who is away.")},
    )

    class Meta:
        model = Delegation
        fields = ["deputy", "start", "end", "category", "reason"]
        widgets = {"start": forms.DateInput(attrs={"type": "date"}), "end": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, principal, for_anyone: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.principal = principal
        self.for_anyone = for_anyone
        people = User.objects.filter(is_active=True).select_related("unit").order_by("unit__sort_order", "username")
        if for_anyone:
            self.fields["principal"].required = True
            self.fields["principal"].queryset = people.filter(roles__overlap=list(DECIDING_ROLES))
            self.order_fields(["principal", "deputy", "start", "end", "category", "reason"])
            self.fields["deputy"].queryset = people
        else:
            del self.fields["principal"]
            self.fields["deputy"].queryset = people.exclude(pk=principal.pk)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise ValidationError(_("The end date is before the start date."))
        principal = data.get("principal") if self.for_anyone else self.principal
        refusal = standin_refusal(principal, data.get("deputy"))
        if refusal:
            self.add_error("deputy", refusal)
        return data

    def save(self, commit=True):
        self.instance.principal = self.cleaned_data["principal"] if self.for_anyone else self.principal
        return super().save(commit)


class PeoplePicker(forms.SelectMultiple):
    """A multiple choice of people as a search box (name, unit, position) whose results come
    from the server, instead of a list of every person of the office. Renders only the people
    already chosen (one query), never the whole queryset."""

    template_name = "approvals/widgets/people_picker.html"

    def get_context(self, name, value, attrs):
        from django.urls import reverse

        context = forms.Widget.get_context(self, name, value, attrs)  # not ChoiceWidget's: it lists every choice
        ids = [int(v) for v in (value or []) if str(v).isdigit()]
        context["widget"]["chosen"] = list(User.objects.filter(pk__in=ids).select_related("unit")) if ids else []
        context["widget"]["url"] = reverse("approvals:people_search")
        return context


# --- the approval thresholds page (审批权限设置) ----------------------------------------------
class TierAmountForm(BootstrapMixin, forms.Form):
    """A tier's new start, or where to split it: yuan, not negative (parse_amount's messages)."""

    amount = MoneyField(
        label=_("Amount (yuan)"), allow_zero=True,
        error_messages={"required": _("Give the amount in yuan, e.g. 50000.")},
    )


class TierStepForm(BootstrapMixin, forms.Form):
    """One step of a tier's chain; the position and field rules are PolicyStep.clean's."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Step name"), max_length=50, required=False,
                           help_text=_("Empty: named after who approves."))
    kind = forms.ChoiceField(
        label=_("Who approves"),
        choices=[("", "—")] + [c for c in StepKind.choices if c[0] != StepKind.ADDED],  # 加签 is made while approving
        error_messages={"required": _("Choose who approves the step.")},
    )
    role = forms.ChoiceField(label=_("Position"), choices=[("", "—")] + list(Role.choices), required=False)
    field = forms.ChoiceField(label=_("Functional field"), choices=[("", "—")] + list(FunctionalDepartment.Field.choices),
                              required=False)
    mode = forms.ChoiceField(label=_("Mode"), choices=StepMode.choices, initial=StepMode.SINGLE)
    time_limit_hours = forms.IntegerField(
        label=_("Urge after (working hours)"), min_value=1, max_value=999, initial=8,
        error_messages={"min_value": _("The time limit is at least one working hour."),
                        "required": _("Give the time limit in working hours.")},
    )


class _TierStepBaseFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "ORDER" in form.fields:
            form.fields["ORDER"].label = _("Order")
            form.fields["ORDER"].widget.attrs.update({"class": "form-control", "min": "1"})
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"


TierStepFormSet = forms.formset_factory(TierStepForm, formset=_TierStepBaseFormSet, extra=1, can_order=True,
                                        can_delete=True, max_num=30, validate_max=True)


class ThresholdPreviewForm(BootstrapMixin, forms.Form):
    """¥X of matter M filed by unit U (at stage S): which route would it take?"""

    amount = MoneyField(label=_("Amount (yuan)"), allow_zero=True, required=False)
    matter = forms.ModelChoiceField(label=_("Matter"), queryset=Matter.objects.filter(is_active=True).order_by(
        "category", "sort_order", "code"), error_messages={"required": _("Choose the matter.")})
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.filter(is_active=True).order_by("sort_order", "code"),
                                  error_messages={"required": _("Choose the unit that files the form.")})
    stage = forms.ChoiceField(label=_("Stage"), required=False)

    def __init__(self, *args, **kwargs):
        from . import registry

        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [("", _("The matter's first stage"))] + [
            (key, section.label) for key, section in registry.all_sections().items()]

    def clean(self):
        data = super().clean()
        matter, stage = data.get("matter"), data.get("stage")
        if matter is not None:
            if stage and stage not in matter.stages:
                self.add_error("stage", _("“%(matter)s” has no stage “%(stage)s”.") % {
                    "matter": matter.name, "stage": dict(self.fields["stage"].choices).get(stage, stage)})
            elif not stage:
                data["stage"] = matter.stages[0] if matter.stages else ""
        return data
