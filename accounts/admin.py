from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


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
