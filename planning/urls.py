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
]
