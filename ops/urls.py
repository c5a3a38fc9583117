from django.urls import path

from .views import audit

# The audit trail's pages keep the trail's name in their URLs.
app_name = "audit"

urlpatterns = [
    path("", audit.event_list, name="events"),
    path("lockouts/", audit.lockout_list, name="lockouts"),
    path("lockouts/<int:pk>/lift/", audit.lockout_lift, name="lockout_lift"),
]
