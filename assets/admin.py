from django.contrib import admin

from core.admin import ReadOnlyHistoryAdmin

from .models import AssetCard


@admin.register(AssetCard)
class AssetCardAdmin(ReadOnlyHistoryAdmin):
    list_display = ("number", "name", "asset_class", "value", "estimated", "unit", "source_ref", "acquired_on")
    list_filter = ("asset_class", "estimated")
    list_select_related = ("unit",)
    search_fields = ("number", "name", "source_ref")
