from django.urls import path

from reports.views import office_dashboard

from . import views

app_name = "offices"

urlpatterns = [
    path("", views.office_list, name="list"),
    path("<str:code>/", office_dashboard, name="detail"),
]
