from django.urls import path

from . import feed_views

app_name = "planning"

# Each group below is kept apart so they can grow on their own.
urlpatterns = [
    # --- the calendar and the plans ---
]

urlpatterns += [
    # --- the bureau's direction: progress notes, conflicts, gaps ---
]

urlpatterns += [
    # --- each person's calendar feed ---
    path("calendar-subscription/", feed_views.subscription, name="subscription"),
    path("calendar-subscription/new/", feed_views.feed_new, name="feed_new"),
    path("calendar-subscription/off/", feed_views.feed_off, name="feed_off"),
    path("feed/<str:token>.ics", feed_views.feed, name="feed"),
]
