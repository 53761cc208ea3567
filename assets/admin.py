from django.apps import apps
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyHistoryAdmin

from .models import AssetCard


@admin.register(AssetCard)
class AssetCardAdmin(ReadOnlyHistoryAdmin):
    list_display = ("number", "name", "asset_class", "value", "estimated", "unit", "source_ref", "acquired_on")
    list_filter = ("asset_class", "estimated")
    list_select_related = ("unit",)
    search_fields = ("number", "name", "source_ref")
    exclude = ("source_kind",)
    readonly_fields = ("source",)

    @admin.display(description=_("source"))
    def source(self, obj):
        """The kind of record the card came from, by its verbose name (not "construction.project")."""
        try:
            return apps.get_model(obj.source_kind)._meta.verbose_name
        except (LookupError, ValueError):
            return obj.source_kind
