"""A published report's file handed out: the page's and the API's download, after its
SHA-256 is checked (reports.services.published_file), with the digest in Repr-Digest."""

from __future__ import annotations

import base64

from django.http import FileResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy

from audit.models import Kind
from audit.services import record

from . import services
from .models import PublishedReport
from .report_files import content_type

ALTERED_MESSAGE = gettext_lazy(
    "This published report's stored file does not match the SHA-256 recorded when it was "
    "published: it has been changed or lost since, so it is not served as the genuine "
    "report. The refusal is on the audit trail; tell the system administrator, who can "
    "restore the file from a backup and check it against the SHA-256 on this page."
)


def record_export(summary: str, *, office, **details) -> None:
    record(Kind.EXPORT, summary, office=office, details=details)


def stored_file_response(report: PublishedReport) -> FileResponse:
    """A published report's file as stored (the page's and the API's download), checked
    against its SHA-256 first: services.PublishedFileAltered if it does not match."""
    handle = services.published_file(report)
    record_export(f"published report {report.filename}", office=report.office, report=report.pk)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=report.filename,
        content_type=content_type(report.format),
    )
    digest = base64.b64encode(bytes.fromhex(report.sha256)).decode()
    response["Repr-Digest"] = f"sha-256=:{digest}:"
    patch_cache_control(response, private=True, no_store=True)
    return response
