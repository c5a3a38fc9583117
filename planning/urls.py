from django.urls import path

from .direction import conflicts, gaps, notes

app_name = "planning"

# Each group below is kept apart so they can grow on their own.
urlpatterns = [
    # --- the calendar and the plans ---
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
]
