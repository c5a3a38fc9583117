"""Pages and API answers gzipped for browsers that accept it (production only).

Django's GZipMiddleware, less the file downloads: a response with a Content-Disposition
(exports, reports, evidence files, backups) is sent as it is. XLSX, PDF and images are
compressed already; a CSV export is meant to stream at PostgreSQL's COPY speed, and gzip in
the web worker (about 55 MB/s on one core) would become its limit and hide its
Content-Length where it has one. Static files never reach this: WhiteNoise, above it,
answers them with the .br/.gz made at collectstatic (docs/performance.md, "Page weight").

BREACH: GZipMiddleware adds up to 100 random bytes to every gzip header, and CSRF tokens
are masked anew in each response, so a secret in a compressed page is not guessed by its
length (Django's documentation, "GZip middleware").
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware


class CompressPagesMiddleware(GZipMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if response.has_header("Content-Disposition"):
            return response
        return super().process_response(request, response)
