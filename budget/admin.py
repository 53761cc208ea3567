from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdmin

from .models import BudgetAdjustment, BudgetLine, BudgetMovement, CaseBudget, ExportJob


@admin.register(BudgetLine)
class BudgetLineAdmin(SimpleHistoryAdmin):
    list_display = ("year", "unit", "project", "functional_code", "economic_code", "economic_name", "fund_source",
                    "amount", "control_mode", "is_active")
    list_filter = ("year", "fund_source", "control_mode", "is_active", "unit")
    search_fields = ("project", "economic_code", "economic_name", "functional_code", "functional_name", "unit__name")
    list_select_related = ("unit",)
    autocomplete_fields = ()

    def get_readonly_fields(self, request, obj=None):
        # once a line exists its amount changes only through adjustment matters (a ledger row)
        if obj is not None:
            return ("year", "unit", "amount", "created_at")
        return ("created_at",)


@admin.register(BudgetMovement)
class BudgetMovementAdmin(ReadOnlyAdmin):
    list_display = ("id", "occurred_on", "kind", "stage", "amount", "line", "case", "actor", "note")
    list_filter = ("kind", "stage", "line__year")
    search_fields = ("case__number", "line__project", "note")
    list_select_related = ("line__unit", "case", "actor")
    date_hierarchy = "occurred_on"


@admin.register(CaseBudget)
class CaseBudgetAdmin(ReadOnlyAdmin):
    list_display = ("case", "line", "state")
    list_filter = ("state",)
    list_select_related = ("case", "line__unit")


@admin.register(BudgetAdjustment)
class BudgetAdjustmentAdmin(ReadOnlyAdmin):
    list_display = ("case", "kind", "line", "to_line", "state")
    list_filter = ("kind", "state")
    list_select_related = ("case", "line__unit", "to_line__unit")


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "status", "done", "total", "created_at", "finished_at")
    list_select_related = ("user",)
    list_filter = ("status",)
