"""Every page an administrator sees is Chinese, third-party admin pages included.

Three gaps are closed here, in one place:

- Strings of Django's admin and of the libraries we install that have no Simplified Chinese
  translation (newer Django admin strings, django-axes, django-simple-history): they are
  listed below with ``gettext_noop`` so that ``make catalogs`` keeps them in the foundation
  catalog (``locale/``, which ``LOCALE_PATHS`` puts above every app's own catalog).
- Permission names, which Django stores in English at migrate time ("Can add case"): shown
  as "可以添加 表单" built from the model's translated name.
- django-axes' record titles, which are English f-strings in its models.

``apply()`` runs once from ``CoreConfig.ready()``.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy as _, gettext_noop

THIRD_PARTY_STRINGS = [
    # django.contrib.admin / auth (strings newer than Django's zh_Hans catalog)
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    # django-simple-history
    gettext_noop("Changes"),
    gettext_noop("Deleted %(type_name)s"),
    gettext_noop("None"),
    # django-axes
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("Access Attempt"),
    gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("Locked Out"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
]

_ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


# Models of libraries that leave their verbose name to Django's English default.
_NAMES = {
    "guardian.userobjectpermission": _("per-object permission of a person"),
    "guardian.groupobjectpermission": _("per-object permission of a group"),
}


def _model_label(model) -> str:
    """The model's name as a person reads it; history tables read "表单（历史记录）"."""
    base = getattr(model, "instance_type", None)  # simple_history's historical models
    if base is not None:
        return gettext("%(model)s (history)") % {"model": _model_label(base)}
    owner = model._meta.auto_created  # the table behind a many-to-many field
    if owner:
        field = next(f for f in owner._meta.many_to_many if f.remote_field.through is model)
        return f"{owner._meta.verbose_name} · {field.verbose_name}"
    return str(_NAMES.get(model._meta.label_lower, model._meta.verbose_name))


def permission_label(permission) -> str:
    ct = permission.content_type
    model = ct.model_class()
    action = permission.codename.split("_", 1)[0]
    if model is not None and action in _ACTIONS:
        name = _ACTIONS[action] % {"model": _model_label(model)}
        app = model._meta.app_config.verbose_name
        return f"{app} | {_model_label(model)} | {name}"
    return f"{ct} | {gettext(permission.name)}"


def _axes_titles():
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    AccessLog.__str__ = lambda self: gettext("Sign-in of %(user)s at %(time)s") % {
        "user": self.username, "time": self.attempt_time,
    }
    AccessAttempt.__str__ = lambda self: gettext("Failed sign-ins of %(user)s from %(ip)s") % {
        "user": self.username, "ip": self.ip_address,
    }
    AccessFailureLog.__str__ = lambda self: gettext("Failed sign-in of %(user)s at %(time)s from %(ip)s") % {
        "user": self.username, "time": self.attempt_time, "ip": self.ip_address,
    }


def _readable_history():
    """simple_history's change lists show stored values ("in_approval → confirmed",
    "[leader]", "None"); show what the forms show: choice labels, "—" for nothing."""
    from simple_history.admin import SimpleHistoryAdmin
    from simple_history.template_utils import HistoricalRecordContextHelper

    class ReadableHelper(HistoricalRecordContextHelper):
        def prepare_delta_change_value(self, change, value):
            value = super().prepare_delta_change_value(change, value)
            field = self.model._meta.get_field(change.field)
            choices = dict(getattr(getattr(field, "base_field", None), "flatchoices", None) or field.flatchoices or [])
            if value is None or value == "" or getattr(value, "pk", 0) is None:  # no object, or a null FK
                return "—"
            if isinstance(value, bool):
                return gettext("Yes") if value else gettext("No")
            if choices and isinstance(value, list):
                return "、".join(str(choices.get(v, v)) for v in value)
            if choices:
                return str(choices.get(value, value))
            return value

    SimpleHistoryAdmin.get_historical_record_context_helper = lambda self, request, record: ReadableHelper(
        self.model, record
    )


def apply() -> None:
    from django.apps import apps
    from django.contrib.auth.models import Permission

    Permission.__str__ = permission_label
    apps.get_app_config("axes").verbose_name = _("Sign-in protection")
    apps.get_app_config("guardian").verbose_name = _("Per-object permissions")
    _axes_titles()
    _readable_history()
