"""Requests carrying a NUL character are refused with 400 before anything reads them.

No browser sends a NUL (U+0000) in a path, a query string, a header or a form field, and
nothing in the application has a use for one; PostgreSQL refuses it in any text it is
sent, the file system in any name. Left to reach a query or a file lookup it ends as a 500,
so it is refused here, once, for every route. The form's fields are checked where Django
parses them, when something first reads `request.POST` or `request.FILES`: reading the
body here would parse an upload before the upload views install their handlers (which
cap what is kept). JSON bodies are the API parser's to check (api/parsers.py).
"""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, QueryDict

NUL = "\x00"


def _has_nul(query: QueryDict) -> bool:
    return any(
        NUL in name or any(NUL in value for value in values) for name, values in query.lists()
    )


def _headers_with_nul(request: HttpRequest) -> list[str]:
    return [
        name
        for name, value in request.META.items()
        if (name.startswith("HTTP_") or name in ("CONTENT_TYPE", "CONTENT_LENGTH"))
        and isinstance(value, str)
        and NUL in value
    ]


def _check_form_when_parsed(request: HttpRequest) -> None:
    """Check the form's fields (and its files' field names) right after Django parses
    them, whoever asks first: CSRF's check, a form, a view."""
    parse = request._load_post_and_files

    def parse_and_check() -> None:
        parse()
        if _has_nul(request._post) or any(NUL in name for name in request._files):
            # Nothing may read the refused fields afterwards (the 400 page, the logs).
            request._mark_post_parse_error()
            raise BadRequest("A form field contains a NUL character.")

    request._load_post_and_files = parse_and_check


class RefuseNulMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if NUL in request.path or NUL in request.path_info:
            raise BadRequest("The path contains a NUL character.")
        if _has_nul(request.GET):
            raise BadRequest("The query string contains a NUL character.")
        headers = _headers_with_nul(request)
        if headers:
            raise BadRequest(f"A NUL character in the headers {', '.join(headers)}.")
        _check_form_when_parsed(request)
        return self.get_response(request)
