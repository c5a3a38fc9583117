"""/api/v1/ and the API's schema and documentation. A new version gets its own router and
prefix; v1 stays as it is for the scripts that use it."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from .views import activities, direction, planning, progress, reference, reports

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
# JSON only (URL_FORMAT_OVERRIDE is off): no `.json` twin of every route, whose views
# would be called with a `format` they do not take.
router.include_format_suffixes = False
router.register("regions", reference.RegionViewSet, basename="region")
router.register("offices", reference.OfficeViewSet, basename="office")
router.register("indicators", reference.IndicatorViewSet, basename="indicator")
router.register("counterparts", reference.CounterpartViewSet, basename="counterpart")
router.register("activities", activities.ActivityViewSet, basename="activity")
router.register("reports", reports.PublishedReportViewSet, basename="report")
router.register("plans", planning.PlanViewSet, basename="plan")
router.register("plan-conflicts", direction.PlanConflictViewSet, basename="plan-conflict")
router.register("progress-notes", direction.ProgressNoteViewSet, basename="progress-note")

v1 = [
    *router.urls,
    path("targets/", reference.TargetsView.as_view(), name="targets"),
    path("progress/", progress.ProgressView.as_view(), name="progress"),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(urlconf=None), name="schema"),
    # Swagger UI from our own static files; its script is a file, not inline (CSP). It
    # sets inline styles, which the policy allows on this page only.
    path(
        "docs/",
        login_required(
            csp_update({"style-src": [UNSAFE_INLINE]})(
                SpectacularSwaggerSplitView.as_view(url_name="api:schema")
            )
        ),
        name="docs",
    ),
]
