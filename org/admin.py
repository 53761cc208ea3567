from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .forms import AdminUserChangeForm, AdminUserCreationForm
from .models import FunctionalDepartment, Unit, User


class MemberInline(admin.TabularInline):
    # read-only rows; org sits below core, so it cannot use core.admin.ReadOnlyTabularInline
    model = User
    fields = ("username", "full_name", "title", "role_names", "is_active")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("members")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("roles"))
    def role_names(self, obj):
        return "、".join(obj.role_labels)


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "kind", "parent", "leader_in_charge", "sort_order", "is_active")
    list_filter = ("kind", "is_active", "leader_in_charge")
    search_fields = ("code", "name")
    list_editable = ("sort_order",)
    autocomplete_fields = ("parent", "leader_in_charge")
    list_select_related = ("parent", "leader_in_charge")
    inlines = [MemberInline]


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    form = AdminUserChangeForm
    add_form = AdminUserCreationForm
    list_display = ("username", "full_name", "unit", "title", "role_list", "is_active")
    list_filter = ("unit__kind", "unit", "is_active", "is_staff")
    search_fields = ("username", "full_name", "phone")
    list_select_related = ("unit",)
    autocomplete_fields = ("unit",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "unit", "title", "phone", "email")}),
        (_("Roles"), {"fields": ("roles",)}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "unit", "roles", "password1", "password2")}),
    )

    @admin.display(description=_("roles"))
    def role_list(self, obj):
        return "、".join(obj.role_labels)


@admin.register(FunctionalDepartment)
class FunctionalDepartmentAdmin(SimpleHistoryAdmin):
    list_display = ("field", "unit")
    list_select_related = ("unit",)
    autocomplete_fields = ("unit",)
