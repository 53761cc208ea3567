from django import forms
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    owner = forms.CharField(max_length=30)
    owner_id = forms.IntegerField(min_value=1)
    kind = forms.CharField(max_length=50)
    file = forms.FileField(error_messages={"required": _("Choose a file to upload.")})
    next = forms.CharField(required=False, max_length=300)
