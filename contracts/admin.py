from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Acceptance, Contract, Payment, PaymentTerm, Supplement


class TermInline(admin.TabularInline):
    model = PaymentTerm
    fk_name = "contract"
    extra = 0
    can_delete = False
    readonly_fields = ("reached_on", "acceptance", "supplement", "replaced_by")


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin):
    """Read mostly: contracts change through their cases (countersign, supplements)."""

    list_display = ("number", "title", "unit", "supplier", "amount", "status", "signed_on", "end_date")
    list_filter = ("status", "category")
    search_fields = ("number", "title", "supplier__name")
    raw_id_fields = ("case", "purchase", "award", "supplier", "budget_line")
    inlines = [TermInline]

    def has_add_permission(self, request):
        return False


@admin.register(Payment)
class PaymentAdmin(SimpleHistoryAdmin):
    list_display = ("case", "contract", "supplier", "amount", "invoice_number", "status", "paid_on")
    list_filter = ("status",)
    search_fields = ("case__number", "invoice_number", "supplier__name")
    raw_id_fields = ("case", "contract", "term", "supplier", "paid_by")

    def has_add_permission(self, request):
        return False


@admin.register(Supplement)
class SupplementAdmin(SimpleHistoryAdmin):
    list_display = ("contract", "seq", "direction", "old_amount", "new_amount", "status")
    raw_id_fields = ("case", "contract")

    def has_add_permission(self, request):
        return False


@admin.register(Acceptance)
class AcceptanceAdmin(SimpleHistoryAdmin):
    list_display = ("contract", "accepted_on", "result", "status")
    raw_id_fields = ("case", "contract")
    filter_horizontal = ("members",)

    def has_add_permission(self, request):
        return False
