from django.urls import path

from . import views_evidence

urlpatterns = [
    path("<int:pk>/evidence/", views_evidence.evidence_upload, name="evidence-upload"),
    path(
        "<int:pk>/evidence/<int:evidence_pk>/",
        views_evidence.evidence_download,
        name="evidence-download",
    ),
]
