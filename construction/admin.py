from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyHistoryAdmin

from .models import ChangeOrder, Limit, Project, Settlement


@admin.register(Limit)
class LimitAdmin(SimpleHistoryAdmin):
    """The shares and periods of the construction rules, effective-dated (the administrator's)."""

    list_display = ("kind", "value", "regulation", "effective_from", "effective_to")
    list_filter = ("kind",)


@admin.register(Project)
class ProjectAdmin(ReadOnlyHistoryAdmin):
    list_display = ("number", "name", "unit", "kind", "status", "estimate", "approved_budget")
    list_filter = ("status", "kind")
    list_select_related = ("unit",)
    search_fields = ("number", "name")


@admin.register(ChangeOrder)
class ChangeOrderAdmin(ReadOnlyHistoryAdmin):
    list_display = ("project", "kind", "amount", "share", "major", "status")
    list_select_related = ("project",)


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyHistoryAdmin):
    list_display = ("project", "amount", "audited_amount", "retention", "status")
    list_select_related = ("project",)
