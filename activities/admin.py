from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Activity, Evidence


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ("file", "original_name", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = ("uploaded_at",)
    raw_id_fields = ("uploaded_by",)


@admin.register(Activity)
class ActivityAdmin(SimpleHistoryAdmin):
    list_display = (
        "occurred_on",
        "title",
        "lead_office",
        "indicator",
        "status",
        "region",
        "removed_at",
    )
    list_filter = ("status", "indicator", "lead_office", ("removed_at", admin.EmptyFieldListFilter))
    list_select_related = ("lead_office", "indicator", "region")
    search_fields = ("title", "notes", "city")
    date_hierarchy = "occurred_on"
    autocomplete_fields = ("counterparts", "partners")
    raw_id_fields = ("created_by", "updated_by", "removed_by", "reviewed_by")
    readonly_fields = ("version", "counted_since", "created_at", "updated_at")
    filter_horizontal = ("participating_offices",)
    inlines = [EvidenceInline]
    history_list_display = ["status", "version"]

    def has_delete_permission(self, request, obj=None) -> bool:
        """Activities are never hard-deleted: a removal keeps the row with who, when and why."""
        return False


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = (
        "original_name",
        "activity",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    )
    list_select_related = ("activity", "uploaded_by")
    raw_id_fields = ("activity", "uploaded_by")
    search_fields = ("original_name",)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
