"""The read side's URLs, in the namespaces the pages have always used: the bureau's
dashboard (`reports`), the offices and an office's dashboard (`offices`), and the reports
(`reporting`). kpi_tracker/urls.py mounts each."""

from django.urls import path

from .views import dashboards, offices, published, reports

dashboard_urls = ([path("", dashboards.bureau_dashboard, name="bureau")], "reports")

office_urls = (
    [
        path("", offices.office_list, name="list"),
        path("<str:code>/", dashboards.office_dashboard, name="detail"),
    ],
    "offices",
)

reporting_urls = (
    [
        path("", reports.report_index, name="index"),
        path("download/", reports.report_download, name="download"),
        path("publish/", reports.report_publish, name="publish"),
        path("published/<int:pk>/", published.published_detail, name="published"),
        path("published/<int:pk>/status/", published.published_status, name="published_status"),
        path(
            "published/<int:pk>/download/",
            published.published_download,
            name="published_download",
        ),
    ],
    "reporting",
)
