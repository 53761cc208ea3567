"""Files are added and removed only through the owner's pages (its rules decide); the
administrator reads the list here."""

from django.contrib import admin

from .models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("original_name", "kind", "owner_type", "owner_id", "size", "uploaded_by", "uploaded_at")
    list_filter = ("owner_type", "kind")
    search_fields = ("original_name", "sha256")
    list_select_related = ("owner_type", "uploaded_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
