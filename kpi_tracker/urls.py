from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from activities import urls as activities_urls
from ops.views.health import healthz
from ops.views.home import home
from reports import urls as reports_urls

admin.site.site_header = _("KPI Tracker administration")
admin.site.site_title = _("KPI Tracker")
admin.site.index_title = _("Mainland Offices KPI Tracker")

handler400 = "common.web.bad_request"
handler404 = "common.web.page_not_found"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("targets/", include("offices.urls")),
    path("activities/", include("activities.urls")),
    path("counterparts/", include(activities_urls.counterpart_urls)),
    path("planning/", include("planning.urls")),
    path("offices/", include(reports_urls.office_urls)),
    path("dashboard/", include(reports_urls.dashboard_urls)),
    path("reports/", include(reports_urls.reporting_urls)),
    path("api/", include("api.urls")),
    path("audit/", include("ops.urls")),
    path("admin/", admin.site.urls),
]
# Uploaded evidence is never served from MEDIA_URL: downloads go through a view that
# checks who may see the activity.
