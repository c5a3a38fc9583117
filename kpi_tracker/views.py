from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from rest_framework import exceptions


def querystring_without(request: HttpRequest, *names: str) -> str:
    """The page's query string less some parameters (the page number, for the pagination's
    links to carry the filters)."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def form_status(*forms) -> int:
    """The status of a page that may show submitted forms back: 400 when one of them was
    refused (with its errors on the page), 200 otherwise. A refusal must not look like a
    success to scripts, monitoring and the browser."""
    refused = any(form is not None and form.is_bound and not form.is_valid() for form in forms)
    return 400 if refused else 200


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to the page it works from."""
    user = request.user
    if user.is_bureau:
        return redirect("reports:bureau")
    return redirect("offices:detail", code=user.office.code)


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For the container health check: the app answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 400 answer to a request that could not be read (a NUL character, a body too
    large, a malformed form): JSON under /api/, the page otherwise. In the person's
    language, also when it was refused before the locale middleware ran."""
    with translation.override(translation.get_language_from_request(request)):
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": _(
                        "The request could not be read: it is malformed or too large. "
                        "Nothing was saved."
                    )
                },
                status=400,
            )
        return defaults.bad_request(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A URL that no route matches (an id out of range, a code with a slash): the page, or
    under /api/ the API's JSON refusal."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": str(exceptions.NotFound.default_detail)},
            status=exceptions.NotFound.status_code,
        )
    return defaults.page_not_found(request, exception)
