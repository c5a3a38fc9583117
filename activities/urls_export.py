from django.urls import path

from . import views_export

urlpatterns = [
    path("export.<str:fmt>", views_export.activity_export, name="export"),
]
