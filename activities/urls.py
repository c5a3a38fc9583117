from django.urls import include, path

from . import views

app_name = "activities"

urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_create, name="create"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/edit/", views.activity_edit, name="edit"),
    path("<int:pk>/remove/", views.activity_remove, name="remove"),
    path("<int:pk>/review/", views.activity_review, name="review-one"),
    path("submit/", views.activities_submit, name="submit"),
    path("review/", views.review_queue, name="review"),
    path("periods/", views.periods, name="periods"),
    path("periods/<int:pk>/decide/", views.reopening_decide, name="reopening-decide"),
    path("", include("activities.urls_export")),
    path("", include("activities.urls_evidence")),
    path("import/", include("activities.urls_import")),
]
