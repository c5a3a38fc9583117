from django.urls import path

from . import views_reports as views

app_name = "reporting"

urlpatterns = [
    path("", views.report_index, name="index"),
    path("download/", views.report_download, name="download"),
    path("publish/", views.report_publish, name="publish"),
    path("published/<int:pk>/", views.published_detail, name="published"),
    path("published/<int:pk>/status/", views.published_status, name="published_status"),
    path("published/<int:pk>/download/", views.published_download, name="published_download"),
]
