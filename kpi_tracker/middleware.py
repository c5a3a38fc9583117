"""A lost database connection answers 503 with a page that says so, not a 500 traceback.

`OperationalError` and `InterfaceError` are what Django raises when the database cannot
be reached or drops the connection mid-request (also a lock or statement timeout, or a
deadlock): conditions that pass, so the person is asked to try again, with Retry-After.
The page is rendered without the request's context processors, so drawing it needs no
query (no user, no messages): the database is the one thing it cannot count on.

Used site-wide as a middleware, and as a view decorator (`database_errors_as_503`) where a
view must say something more precise, such as "nothing was imported".
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.decorators import decorator_from_middleware_with_args
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 60


def database_unavailable(
    request: HttpRequest, *, message: str = "", back_url: str = ""
) -> HttpResponse:
    """The 503 answer: JSON for the API, otherwise the page of templates/503.html."""
    message = message or _(
        "The connection to the database was lost, so this page could not be completed. "
        "Try again in a minute. If you were saving a change, check whether it was saved "
        "before you make it again."
    )
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message}, status=503)
    else:
        response = HttpResponse(
            render_to_string("503.html", {"message": message, "back_url": back_url}),
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response=None, message: str = "") -> None:
        self.get_response = get_response
        self.message = message

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        logger.error(
            "Database unavailable during %s %s", request.method, request.path, exc_info=exception
        )
        return database_unavailable(request, message=str(self.message))


def database_errors_as_503(message: str = ""):
    """The middleware as a view decorator, optionally with the view's own message."""
    return decorator_from_middleware_with_args(DatabaseUnavailableMiddleware)(message=message)
