from django import forms
from django.utils.translation import gettext_lazy as _


# Several files in one field, as Django 5.2's documentation shows it ("Uploading multiple
# files"): the widget allows ``multiple``, the field cleans each file and returns the list.
class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_file_clean = super().clean
        if isinstance(data, (list, tuple)) and data:
            return [single_file_clean(d, initial) for d in data]
        # nothing chosen: the single-file clean raises "required" (an empty list would pass)
        return [f for f in [single_file_clean(data or None, initial)] if f]


class UploadForm(forms.Form):
    owner = forms.CharField(max_length=30)
    owner_id = forms.IntegerField(min_value=1)
    kind = forms.CharField(max_length=50)
    file = MultipleFileField(error_messages={"required": _("Choose a file to upload.")})
    next = forms.CharField(required=False, max_length=300)


class ReplaceForm(forms.Form):
    file = forms.FileField(error_messages={"required": _("Choose the corrected file.")})
    next = forms.CharField(required=False, max_length=300)
