from django.urls import path

from .views import calendar, plans

app_name = "planning"

# Each group below is kept apart so they can grow on their own.
urlpatterns = [
    # --- the calendar and the plans ---
    path("", calendar.calendar_month, name="calendar"),
    path("week/", calendar.calendar_week, name="week"),
    path("list/", calendar.calendar_list, name="list"),
    path("plans/new/", plans.plan_create, name="create"),
    path("plans/<int:pk>/", plans.plan_detail, name="detail"),
    path("plans/<int:pk>/edit/", plans.plan_edit, name="edit"),
    path("plans/<int:pk>/confirm/", plans.plan_confirm, name="confirm"),
    path("plans/<int:pk>/cancel/", plans.plan_cancel, name="cancel"),
    path("plans/<int:pk>/log/", plans.plan_log, name="log"),
]

urlpatterns += [
    # --- the bureau's direction: progress notes, conflicts, gaps ---
]

urlpatterns += [
    # --- each person's calendar feed ---
]
