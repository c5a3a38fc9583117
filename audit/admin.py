from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: events are written by the application and never changed."""

    list_display = ("at", "kind", "actor_username", "subject_username", "office", "summary")
    list_filter = ("kind", "office")
    search_fields = ("actor_username", "subject_username", "summary", "ip_address")
    date_hierarchy = "at"
    list_select_related = ("office",)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
