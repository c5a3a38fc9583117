"""The site's URLs with the plan page's route (`planning:detail`, /planning/plans/<pk>/) ensured,
for the tests of what links to a plan (the reminder digest): they check the link, not the
page, which planning's own views serve and test."""

from django.http import HttpResponse
from django.urls import include, path

from kpi_tracker import urls as site
from planning import urls as planning_urls

handler400 = site.handler400
handler404 = site.handler404


def plan_page(request, pk: int) -> HttpResponse:
    return HttpResponse(f"plan {pk}")


planning_patterns = list(planning_urls.urlpatterns)
if "detail" not in {getattr(pattern, "name", None) for pattern in planning_patterns}:
    planning_patterns.append(path("plans/<int:pk>/", plan_page, name="detail"))

urlpatterns = [
    pattern for pattern in site.urlpatterns if getattr(pattern, "namespace", None) != "planning"
] + [path("planning/", include((planning_patterns, "planning")))]
