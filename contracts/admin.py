"""Read-only administration of contracts and what hangs off them: they change only through
their cases (countersign, acceptance, payment, supplements) so that the trail and the budget
ledger always follow. The administrator can look, never rewrite or delete."""

from django.contrib import admin

from core.admin import ReadOnlyHistoryAdmin, ReadOnlyTabularInline

from .models import Acceptance, Contract, Payment, PaymentTerm, Supplement


class TermInline(ReadOnlyTabularInline):
    model = PaymentTerm
    fk_name = "contract"


@admin.register(Contract)
class ContractAdmin(ReadOnlyHistoryAdmin):
    list_display = ("number", "title", "unit", "supplier", "amount", "status", "signed_on", "end_date")
    list_select_related = ("unit", "supplier")
    list_filter = ("status", "category")
    search_fields = ("number", "title", "supplier__name")
    inlines = [TermInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyHistoryAdmin):
    list_display = ("case", "contract", "supplier", "amount", "invoice_number", "status", "paid_on")
    list_select_related = ("case", "contract", "supplier")
    list_filter = ("status",)
    search_fields = ("case__number", "invoice_number", "supplier__name")


@admin.register(Supplement)
class SupplementAdmin(ReadOnlyHistoryAdmin):
    list_display = ("contract", "seq", "direction", "old_amount", "new_amount", "status")
    list_select_related = ("contract",)


@admin.register(Acceptance)
class AcceptanceAdmin(ReadOnlyHistoryAdmin):
    list_display = ("contract", "accepted_on", "result", "status")
    list_select_related = ("contract",)
