from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import ReadOnlyAdmin, StaleEditAdmin

from .models import (
    Activity,
    ActivityAsOfCount,
    ActivityMonthCount,
    Evidence,
    ImportBatch,
    PeriodReopening,
)


def describe_upload(evidence: Evidence, user) -> None:
    """Name, type, size and uploader come from the upload itself, not from a form field."""
    upload = getattr(evidence.file, "file", None)
    if evidence._state.adding and upload is not None:
        evidence.original_name = evidence.file.name.rsplit("/", 1)[-1][:255]
        evidence.content_type = (getattr(upload, "content_type", "") or "application/octet-stream")[
            :100
        ]
        evidence.size = evidence.file.size
        evidence.uploaded_by = user


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ("file", "original_name", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = ("original_name", "content_type", "size", "uploaded_by", "uploaded_at")


@admin.register(Activity)
class ActivityAdmin(StaleEditAdmin, SimpleHistoryAdmin):
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
    raw_id_fields = ("removed_by", "reviewed_by")
    readonly_fields = (
        "version",
        "counted_since",
        "created_by",
        "created_at",
        "updated_by",
        "updated_at",
    )
    filter_horizontal = ("participating_offices",)
    inlines = [EvidenceInline]
    history_list_display = ["status", "version"]

    def save_model(self, request, obj, form, change):
        previous = Activity.objects.filter(pk=obj.pk).values_list("status", flat=True).first()
        obj.record_change(by=request.user, previous_status=previous)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for evidence in formset.save(commit=False):
            describe_upload(evidence, request.user)
            evidence.save()
        formset.save_m2m()

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


@admin.register(PeriodReopening)
class PeriodReopeningAdmin(StaleEditAdmin, SimpleHistoryAdmin):
    """Decisions are taken on the Periods page; here the records and their history."""

    list_display = ("office", "year", "month", "state", "open_until", "requested_by", "decided_by")
    list_filter = ("state", "year", "office")
    list_select_related = ("office", "requested_by", "decided_by")
    readonly_fields = ("requested_by", "requested_at", "decided_by", "decided_at")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    """Uploaded spreadsheets, kept as evidence of what was imported; read-only here."""

    list_display = (
        "original_name",
        "office",
        "created_by",
        "created_at",
        "imported_at",
        "imported_count",
    )
    list_filter = ("office", "file_format")
    list_select_related = ("office", "created_by")
    exclude = ("content", "table")  # the file and its rows as read: megabytes, not for a page

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content", "table")


@admin.register(ActivityMonthCount)
class ActivityMonthCountAdmin(ReadOnlyAdmin):
    """The roll-up, to look at: the database's triggers write it, nobody else."""

    list_display = ("month", "lead_office", "indicator", "region_key", "status", "n")
    list_filter = ("status", "lead_office")
    list_select_related = ("lead_office", "indicator")
    date_hierarchy = "month"


@admin.register(ActivityAsOfCount)
class ActivityAsOfCountAdmin(ReadOnlyAdmin):
    """The roll-up of what counted by each day, to look at: the database's triggers write
    it, nobody else."""

    list_display = ("month", "lead_office", "indicator", "region_key", "grain", "counted_by", "n")
    list_filter = ("grain", "lead_office")
    list_select_related = ("lead_office", "indicator")
    date_hierarchy = "month"
