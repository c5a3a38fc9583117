from django.urls import path

from . import views

app_name = "targets"

urlpatterns = [
    # `targets:year` without a year opens this year.
    path("", views.targets_index, name="year"),
    path("<int:year>/", views.targets_year, name="year"),
    path("<int:year>/copy/", views.targets_copy, name="copy"),
    path("<int:year>/history/", views.targets_history, name="history"),
]
