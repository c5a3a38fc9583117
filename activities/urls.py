from django.urls import path

from .views import activities, counterparts, evidence, export, imports, periods, review

app_name = "activities"

urlpatterns = [
    path("", activities.activity_list, name="list"),
    path("new/", activities.activity_create, name="create"),
    path("<int:pk>/", activities.activity_detail, name="detail"),
    path("<int:pk>/edit/", activities.activity_edit, name="edit"),
    path("<int:pk>/remove/", activities.activity_remove, name="remove"),
    path("export.<str:fmt>", export.activity_export, name="export"),
    # submitting and reviewing
    path("<int:pk>/review/", review.activity_review, name="review-one"),
    path("submit/", review.activities_submit, name="submit"),
    path("review/", review.review_queue, name="review"),
    # periods
    path("periods/", periods.periods, name="periods"),
    path("periods/<int:pk>/decide/", periods.reopening_decide, name="reopening-decide"),
    # evidence files
    path("<int:pk>/evidence/", evidence.evidence_upload, name="evidence-upload"),
    path(
        "<int:pk>/evidence/<int:evidence_pk>/",
        evidence.evidence_download,
        name="evidence-download",
    ),
    # bulk import
    path("import/", imports.import_start, name="import"),
    path("import/template.<slug:fmt>", imports.import_template, name="import-template"),
    path("import/<int:pk>/", imports.import_preview, name="import-preview"),
    path("import/<int:pk>/confirm/", imports.import_confirm, name="import-confirm"),
]

# The counterparts directory, with the activities of each (under /counterparts/).
counterpart_urls = (
    [
        path("", counterparts.counterpart_list, name="list"),
        path("new/", counterparts.counterpart_create, name="create"),
        path("search.json", counterparts.counterpart_search_json, name="search"),
        path("<int:pk>/", counterparts.counterpart_detail, name="detail"),
    ],
    "counterparts",
)
