"""Administration of procurement: the thresholds table and suppliers are configured here;
purchases and awards are read-only (they change only through their cases), and the
blacklist only through the supplier page, which records who and why."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyHistoryAdmin, ReadOnlyTabularInline

from .models import Award, Purchase, Quote, Supplier, SupplierQualification, Threshold


@admin.register(Threshold)
class ThresholdAdmin(SimpleHistoryAdmin):
    """The configurable thresholds table: the administrator edits it in the browser."""

    list_display = ("kind", "category", "amount", "regulation", "effective_from", "effective_to")
    list_filter = ("kind", "category")
    search_fields = ("regulation", "note")


class QualificationInline(admin.TabularInline):
    model = SupplierQualification
    extra = 0


@admin.register(Supplier)
class SupplierAdmin(SimpleHistoryAdmin):
    list_display = ("name", "credit_code", "contact_person", "phone", "is_sme", "blacklisted")
    list_filter = ("blacklisted", "is_sme")
    search_fields = ("name", "credit_code")
    inlines = [QualificationInline]
    readonly_fields = ("blacklisted", "blacklist_reason", "blacklisted_at", "blacklisted_by", "created_by", "created_at")

    def has_delete_permission(self, request, obj=None):
        return False  # quotes, awards, contracts and payments point at it


class QuoteInline(ReadOnlyTabularInline):
    model = Quote


@admin.register(Purchase)
class PurchaseAdmin(ReadOnlyHistoryAdmin):
    """Purchases are filed as cases and change only through them."""

    list_display = ("case", "unit", "category", "item_class", "method", "status")
    list_select_related = ("case", "unit")
    list_filter = ("status", "category", "method")
    search_fields = ("case__number", "case__title", "item_class")
    inlines = [QuoteInline]


@admin.register(Award)
class AwardAdmin(ReadOnlyHistoryAdmin):
    list_display = ("purchase", "supplier", "amount", "status", "awarded_on")
    list_select_related = ("purchase__case", "supplier")
    list_filter = ("status",)
