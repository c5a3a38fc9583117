"""A lost database connection answers 503 with a page that says so, not a 500 traceback.

`OperationalError` and `InterfaceError` are what Django raises when the database cannot
be reached or drops the connection mid-request: conditions that pass, so the person is
asked to try again, with Retry-After, and to check what was saved. A write that lost a
lock conflict (a deadlock, a serialisation failure, a lock not had in time:
`common.db.is_lock_conflict`) arrives as the same OperationalError but means something
else: the database rolled the whole transaction back, so the answer says that nothing
was saved and to try again now.
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

from common.db import is_lock_conflict

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 60
# The other writes are usually done in well under a second.
CONFLICT_RETRY_AFTER_SECONDS = 2


def _answer(
    request: HttpRequest, *, title: str, message: str, back_url: str, retry_after: int
) -> HttpResponse:
    """503: JSON for the API, otherwise the page of templates/503.html."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message}, status=503)
    else:
        response = HttpResponse(
            render_to_string(
                "503.html", {"title": title, "message": message, "back_url": back_url}
            ),
            status=503,
        )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def database_unavailable(
    request: HttpRequest, *, message: str = "", back_url: str = ""
) -> HttpResponse:
    """The answer to a lost connection: what was being saved may or may not be saved."""
    return _answer(
        request,
        title=_("The database could not be reached"),
        message=message
        or _(
            "The connection to the database was lost, so this page could not be completed. "
            "Try again in a minute. If you were saving a change, check whether it was saved "
            "before you make it again."
        ),
        back_url=back_url,
        retry_after=RETRY_AFTER_SECONDS,
    )


def lock_conflict(request: HttpRequest, *, message: str = "", back_url: str = "") -> HttpResponse:
    """The answer to a write that lost a lock conflict: rolled back whole, so nothing of it
    was saved, and the same write a moment later usually goes through."""
    return _answer(
        request,
        title=_("The database was busy"),
        message=message
        or _("Nothing was saved: others were saving at the same moment. Try again."),
        back_url=back_url,
        retry_after=CONFLICT_RETRY_AFTER_SECONDS,
    )


def database_error_response(
    request: HttpRequest, error: Exception, *, message: str = "", back_url: str = ""
) -> HttpResponse:
    """A lock conflict or a lost connection, each with its own answer; `message` is the
    view's own words for a lost connection."""
    if is_lock_conflict(error):
        logger.warning("Lock conflict during %s %s: %s", request.method, request.path, error)
        return lock_conflict(request, back_url=back_url)
    logger.error("Database unavailable during %s %s", request.method, request.path, exc_info=error)
    return database_unavailable(request, message=message, back_url=back_url)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response=None, message: str = "") -> None:
        self.get_response = get_response
        self.message = message

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        return database_error_response(request, exception, message=str(self.message))


def database_errors_as_503(message: str = ""):
    """The middleware as a view decorator, optionally with the view's own message for a
    lost connection."""
    return decorator_from_middleware_with_args(DatabaseUnavailableMiddleware)(message=message)
