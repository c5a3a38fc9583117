from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ReminderDigest, ReminderPreference, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (
        "username",
        "get_full_name",
        "email",
        "role",
        "office",
        "is_active",
        "last_login",
    )
    list_filter = ("role", "office", "is_active", "is_staff")
    list_select_related = ("office",)
    search_fields = ("username", "first_name", "last_name", "email")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Role in KPI Tracker"), {"fields": ("role", "office", "language")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Role in KPI Tracker"), {"fields": ("email", "role", "office", "language")}),
    )


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "drafts",
        "returned",
        "verification_queue",
        "month_closing",
        "updated_at",
    )
    list_filter = ("drafts", "returned", "verification_queue", "month_closing")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email")
    raw_id_fields = ("user",)


@admin.register(ReminderDigest)
class ReminderDigestAdmin(admin.ModelAdmin):
    """The ledger of reminder e-mails: read-only, as it is what keeps one digest a day."""

    list_display = ("date", "user", "sent_at")
    list_filter = ("date",)
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email")
    date_hierarchy = "date"
    readonly_fields = ("user", "date", "sent_at", "summary")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
