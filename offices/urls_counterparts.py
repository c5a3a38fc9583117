from django.urls import path

from . import views_counterparts as views

app_name = "counterparts"

urlpatterns = [
    path("", views.counterpart_list, name="list"),
    path("new/", views.counterpart_create, name="create"),
    path("search.json", views.counterpart_search_json, name="search"),
    path("<int:pk>/", views.counterpart_detail, name="detail"),
]
