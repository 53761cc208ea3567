from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

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
    readonly_fields = ("blacklisted_at", "blacklisted_by", "created_by", "created_at")


class QuoteInline(admin.TabularInline):
    model = Quote
    extra = 0


@admin.register(Purchase)
class PurchaseAdmin(SimpleHistoryAdmin):
    list_display = ("case", "unit", "category", "item_class", "method", "status")
    list_filter = ("status", "category", "method")
    search_fields = ("case__number", "case__title", "item_class")
    raw_id_fields = ("case",)
    inlines = [QuoteInline]

    def has_add_permission(self, request):
        return False  # purchases are filed as cases


@admin.register(Award)
class AwardAdmin(SimpleHistoryAdmin):
    list_display = ("purchase", "supplier", "amount", "status", "awarded_on")
    list_filter = ("status",)
    raw_id_fields = ("purchase", "supplier", "quote")

    def has_add_permission(self, request):
        return False
