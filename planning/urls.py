from django.urls import path

from . import feed_views
from .direction import conflicts, gaps, notes
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
    path("offices/<str:code>/notes/", notes.note_list, name="notes"),
    path(
        "offices/<str:code>/notes/<int:indicator>/<int:year>/<int:month>/",
        notes.note_write,
        name="note_write",
    ),
    path("notes/<int:pk>/reply/", notes.note_reply, name="note_reply"),
    path("conflicts/", conflicts.conflict_list, name="conflicts"),
    path("conflicts/<int:pk>/close/", conflicts.conflict_close, name="conflict_close"),
    path("gaps/", gaps.gaps, name="gaps"),
]

urlpatterns += [
    # --- each person's calendar feed ---
    path("calendar-subscription/", feed_views.subscription, name="subscription"),
    path("calendar-subscription/new/", feed_views.feed_new, name="feed_new"),
    path("calendar-subscription/off/", feed_views.feed_off, name="feed_off"),
    path("feed/<str:token>.ics", feed_views.feed, name="feed"),
]
