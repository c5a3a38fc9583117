from django.contrib import admin

from common.admin import ReadOnlyAdmin

from .models import PublishedReport


@admin.register(PublishedReport)
class PublishedReportAdmin(ReadOnlyAdmin):
    """Read-only: a published report is evidence and is never changed or deleted."""

    list_display = ("requested_at", "kind", "date_from", "date_to", "office", "format", "state")
    list_filter = ("state", "kind", "format")
    list_select_related = ("office", "requested_by")
    date_hierarchy = "requested_at"
