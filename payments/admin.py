"""Payments in the administration: read-only; they change only through the desk's services,
so that the budget ledger and the trail always follow."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import registry

from .models import Payment, PaymentDeadline


class SourceFilter(admin.SimpleListFilter):
    """The payable sources by their names (合同付款, 报销, …), not their registry keys."""

    title = _("payable source")
    parameter_name = "source_key"

    def lookups(self, request, model_admin):
        return registry.source_choices()

    def queryset(self, request, queryset):
        return queryset.filter(source_key=self.value()) if self.value() else queryset


@admin.register(Payment)
class PaymentAdmin(SimpleHistoryAdmin):
    list_display = ("case", "payee_name", "amount", "invoice_code", "invoice_number", "status", "paid_on", "paid_by")
    list_select_related = ("case", "paid_by")
    list_filter = ("status", SourceFilter, "payee_kind")
    search_fields = ("case__number", "payee_name", "invoice_number")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PaymentDeadline)
class PaymentDeadlineAdmin(SimpleHistoryAdmin):
    """付款期限 of small and medium enterprises: effective-dated rows citing the regulation; a
    changed term takes a new row from its date, so what was due before stays as it was."""

    list_display = ("days", "max_agreed_days", "day_kind", "regulation", "effective_from", "effective_to")
    list_filter = ("day_kind",)
    search_fields = ("regulation", "note")
