"""Admin building blocks of the kernel, and the working-day calendar's admin.

Records that change only through their cases (the trail, the budget ledger, purchases,
contracts, payments …) are shown to the administrator read-only, with one set of classes:

- ``ReadOnlyAdmin``: a ``ModelAdmin`` that can list and view, never add, change or delete;
- ``ReadOnlyHistoryAdmin``: the same for a model with django-simple-history (its history
  pages stay readable, nothing can be reverted);
- ``ReadOnlyTabularInline``: rows shown under their parent, never added, changed or deleted.
"""

from django.contrib import admin
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Workday


class ReadOnlyMixin:
    """No add, change or delete permission, whoever asks (the view permission decides who may look)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class ReadOnlyHistoryAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    pass


class ReadOnlyTabularInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False


@admin.register(Workday)
class WorkdayAdmin(SimpleHistoryAdmin):
    """工作日历: holidays and 调休 working days that correct the package or fill a new year."""

    list_display = ("date", "weekday", "is_workday", "name", "regulation", "created_by")
    list_select_related = ("created_by",)
    list_filter = ("is_workday",)
    search_fields = ("name", "regulation")
    date_hierarchy = "date"
    fields = ("date", "is_workday", "name", "regulation")

    @admin.display(description=_("weekday"))
    def weekday(self, obj):
        return date_format(obj.date, "l")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
