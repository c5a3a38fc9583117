from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
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


def _json_under_api(page, refusal: type[exceptions.APIException]):
    """Django's own error page, or under /api/ the API's JSON refusal, for what is refused
    before any view of the API runs: a URL that no route matches (an id out of range, a
    code with a slash), a request Django refuses as malformed."""

    def view(request: HttpRequest, exception: Exception) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": str(refusal.default_detail)}, status=refusal.status_code)
        return page(request, exception)

    return view


bad_request = _json_under_api(defaults.bad_request, exceptions.ParseError)
page_not_found = _json_under_api(defaults.page_not_found, exceptions.NotFound)
