"""Helpers every app's pages share: query strings for pagination, the status of a page that
shows a refused form, a service's refusal put on the form, and the error answers that are
JSON under /api/."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext as _
from django.views import defaults
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


def apply_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's refusal shown on the form: each field's reasons beside the field, the
    rest (and the reasons about fields the form does not show) above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


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


def unwrapped(obj: Any) -> Any:
    """The object behind a lazy one (`request.user` is a SimpleLazyObject), for code that
    touches it thousands of times: every attribute read through the proxy costs a call
    (the import's 5 000 rows read their uploader's rights and stamp them as author, about
    0.1 s of proxy calls). Anything else is given back as it is."""
    if isinstance(obj, LazyObject):
        if obj._wrapped is empty:
            obj._setup()
        return obj._wrapped
    return obj
