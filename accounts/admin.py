from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.admin import StaleEditAdmin

from .access import can_revoke_any_token
from .models import ApiToken, ReminderDigest, ReminderPreference, User, UserSession
from .tokens import token_revoke
from .twofactor import has_two_factor


class AdminSignInForm(AdminAuthenticationForm):
    """The admin's own sign-in page asks for no code, so it refuses the people who use
    two-step sign-in: they sign in on the site's page, then open Administration."""

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if has_two_factor(user):
            raise ValidationError(
                _(
                    "This account uses two-step sign-in: sign in on the site's sign-in "
                    "page, then open Administration from the menu."
                ),
                code="two_factor",
            )


admin.site.login_form = AdminSignInForm


@admin.register(User)
class UserAdmin(StaleEditAdmin, DjangoUserAdmin):
    list_display = (
        "username",
        "full_name",
        "email",
        "role",
        "office",
        "is_active",
        "last_login",
    )
    list_filter = ("role", "office", "is_active", "is_staff")
    list_select_related = ("office",)
    search_fields = ("username", "first_name", "last_name", "email")

    @admin.display(description=_("Name"), ordering="last_name")
    def full_name(self, obj: User) -> str:
        return obj.get_full_name()

    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Role in KPI Tracker"), {"fields": ("role", "office", "language")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Role in KPI Tracker"), {"fields": ("email", "role", "office", "language")}),
    )


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(StaleEditAdmin):
    list_display = (
        "user",
        "drafts",
        "returned",
        "verification_queue",
        "month_closing",
        "plans_to_log",
        "updated_at",
    )
    list_filter = ("drafts", "returned", "verification_queue", "month_closing", "plans_to_log")
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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only but for revoking: a token is created by its owner, on the API tokens page,
    and kept after it is revoked. The hash is never shown."""

    list_display = (
        "user",
        "name",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_on",
        "revoked_at",
    )
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "expires_on")
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username", "user__email")
    fields = (
        "user",
        "name",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_on",
        "revoked_at",
        "revoked_by",
    )
    readonly_fields = fields
    actions = ["revoke_selected"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_revoke_permission(self, request) -> bool:
        return can_revoke_any_token(request.user)

    @admin.action(description=_("Revoke selected tokens"), permissions=["revoke"])
    def revoke_selected(self, request, queryset) -> None:
        pks = list(queryset.filter(revoked_at__isnull=True).values_list("pk", flat=True))
        for pk in pks:
            token_revoke(user=request.user, token_id=pk)
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", len(pks))
            % {"count": len(pks)},
            messages.SUCCESS,
        )


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    """Who is signed in where, read-only: a person ends their own sessions on their
    Sessions page; deactivating the account ends all of them."""

    list_display = ("user", "signed_in_at", "last_seen_at", "ip_address", "user_agent")
    list_select_related = ("user",)
    search_fields = ("user__username", "ip_address")
    date_hierarchy = "signed_in_at"
    fields = ("user", "signed_in_at", "last_seen_at", "ip_address", "user_agent")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
