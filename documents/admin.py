"""Files are added and removed only through the owner's pages (its rules decide); the
administrator reads the list here."""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from .models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("original_name", "kind_label", "owner_label", "owner_id", "size", "uploaded_by", "uploaded_at",
                    "is_current")
    list_filter = ("uploaded_at",)
    search_fields = ("original_name", "sha256")
    list_select_related = ("uploaded_by",)
    fields = readonly_fields = ("original_name", "kind_label", "owner_label", "owner_id", "size", "sha256", "uploaded_by",
                                "uploaded_at", "superseded_by")

    def get_queryset(self, request):
        # every version: the replaced ones are history, still on record
        return Document.all_versions.select_related("uploaded_by")

    @admin.display(description=_("current version"), boolean=True)
    def is_current(self, obj):
        return obj.superseded_by_id is None

    @admin.display(description=_("kind"))
    def kind_label(self, obj):
        return obj.kind_label

    @admin.display(description=_("belongs to"))
    def owner_label(self, obj):
        model = ContentType.objects.get_for_id(obj.owner_type_id).model_class()
        return model._meta.verbose_name if model else obj.owner_type_id

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
