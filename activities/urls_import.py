"""Bulk import, under /activities/import/ in the `activities` namespace."""

from django.urls import path

from . import views_import

urlpatterns = [
    path("", views_import.import_start, name="import"),
    path("template.<slug:fmt>", views_import.import_template, name="import-template"),
    path("<int:pk>/", views_import.import_preview, name="import-preview"),
    path("<int:pk>/confirm/", views_import.import_confirm, name="import-confirm"),
]
