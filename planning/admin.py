"""Planning in the Django admin: to read only. Plans, conflicts and notes are written on
their own pages, through the services that warn, lock and check (planning/services.py)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import ReadOnlyAdmin

from .models import CalendarFeed, Plan, PlanConflict, ProgressNote


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("starts_on", "title", "lead_office", "indicator", "status", "confidentiality")
    list_filter = ("status", "confidentiality", "indicator", "lead_office")
    list_select_related = ("lead_office", "indicator")
    search_fields = ("title", "purpose", "city")
    date_hierarchy = "starts_on"


@admin.register(PlanConflict)
class PlanConflictAdmin(ReadOnlyAdmin):
    list_display = ("plan", "office", "created_at", "closed_how")
    list_filter = ("closed_how",)
    list_select_related = ("plan", "office")


@admin.register(ProgressNote)
class ProgressNoteAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("office", "indicator", "year", "month", "written_by", "replied_by")
    list_filter = ("year", "month", "indicator", "office")
    list_select_related = ("office", "indicator", "written_by", "replied_by")


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    list_display = ("user", "created_at", "last_used_at", "revoked_at")
    list_select_related = ("user",)
