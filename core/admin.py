from django.contrib import admin
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Workday


@admin.register(Workday)
class WorkdayAdmin(SimpleHistoryAdmin):
    """工作日历: holidays and 调休 working days that correct the package or fill a new year."""

    list_display = ("date", "weekday", "is_workday", "name", "regulation", "created_by")
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
