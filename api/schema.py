"""What the API's OpenAPI schema says beyond drf-spectacular's defaults, so that it tells
the truth: every answer an operation can give, with its body and headers, and the ranges
the API refuses outside of, read from the validators that refuse them.

The answers are decided here for every operation at once, from what the operation is:

- any request may be refused as malformed (400: its query parameters, its body, or what
  Django refuses before the API sees it, such as more than DATA_UPLOAD_MAX_NUMBER_FIELDS
  parameters), for its credentials (401), for an Accept header other than JSON (406), for
  a full rate (429), or meet a database that is out of reach (503);
- one that changes something reads its body (413 too large, 415 not JSON) and may be
  refused to the person, or to a session without its CSRF token (403);
- one with an object in its path, or a list in pages, may find nothing there (404).

A view declares the refusals only it gives (a 403 on a read kept for the bureau, the
version conflicts of activities) with the shared responses below, in `extend_schema`.
"""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import build_array_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

# --- the bodies of refusals ------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """The body of every refusal but a bad request and a version conflict."""

    detail = serializers.CharField(help_text="Why, in the request's language.")


class ValidationErrorSerializer(serializers.Serializer):
    """The body of a bad request (400): the reasons field by field, each a list of
    messages; `non_field_errors` for what is wrong with the request as a whole, or
    `detail` when the request could not be read at all (malformed JSON, say)."""


class ValidationErrorScheme(OpenApiSerializerExtension):
    target_class = ValidationErrorSerializer

    def map_serializer(self, auto_schema, direction):
        from .serializers import PlanWarningSerializer

        messages = build_array_type({"type": "string"})
        return {
            "type": "object",
            "description": " ".join(ValidationErrorSerializer.__doc__.split()),
            "properties": {
                "detail": {"type": "string", "description": "The request could not be read."},
                "non_field_errors": messages,
                "warnings": {
                    **build_array_type(
                        auto_schema.resolve_serializer(PlanWarningSerializer, direction).ref
                    ),
                    "description": "A plan that raises warnings not yet answered, sent "
                    "without `warning_reason`: what it warns about (nothing was saved).",
                },
            },
            "additionalProperties": messages,
        }


def _error(description: str, serializer=ErrorSerializer) -> OpenApiResponse:
    return OpenApiResponse(serializer, description=description)


# The refusals a view may declare itself (see the module's docstring for the rest).
FORBIDDEN = _error("Not for this person (their role or office), with the reason.")
NOT_FOUND = _error("No such object, or one the person may not see.")
PRECONDITION_REQUIRED = _error(
    "No version named: send the version you read, in the body or in If-Match."
)


def conflict(status: int) -> OpenApiResponse:
    """409 (a stale `version` in the body) and 412 (a stale If-Match) answer alike."""
    from .serializers import ConflictSerializer

    named = "a stale `version` in the body" if status == 409 else "a stale If-Match header"
    return OpenApiResponse(
        ConflictSerializer,
        description=f"Someone changed it after you read it ({named}): nothing was saved; "
        "what changed, by whom and when.",
    )


REFUSALS = {
    400: _error("The request was refused: the reasons, field by field.", ValidationErrorSerializer),
    401: _error("No valid credentials: a personal API token, or a session."),
    403: _error(
        "Not for this person (their role, their office, or the object's state), or a "
        "session's change without its CSRF token."
    ),
    404: NOT_FOUND,
    406: _error("The Accept header asks for something other than JSON."),
    413: _error("The body is larger than the API reads."),
    415: _error("The body is not JSON."),
    429: _error("Too many requests: try again after Retry-After seconds."),
    503: _error("The database could not be reached: try again after Retry-After seconds."),
}

# The headers that come with a refusal: (name, required, description).
HEADERS = {
    401: [("WWW-Authenticate", True, "How to authenticate: Bearer.")],
    409: [("ETag", True, "The current version's ETag.")],
    412: [("ETag", True, "The current version's ETag.")],
    429: [("Retry-After", False, "Seconds until a request is counted again.")],
    503: [("Retry-After", True, "Seconds to wait before trying again.")],
}


def header(name: str, *, codes: list[int], required: bool = True, description: str = ""):
    """A header of the answers with `codes`, for a view's `extend_schema(parameters=...)`."""
    return OpenApiParameter(
        name,
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        required=required,
        description=description,
        response=codes,
    )


class AutoSchema(SpectacularAutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for code in sorted(self._refusals(operation)):
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(REFUSALS[code], str(code))
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _refusals(self, operation: dict) -> set[int]:
        codes = {400, 401, 406, 429, 503}
        locations = {parameter["in"] for parameter in operation.get("parameters", [])}
        if self.method not in SAFE_METHODS:
            codes |= {403, 413, 415}
        if "path" in locations or (self._is_list_view() and self._get_paginator()):
            codes.add(404)
        return codes

    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = super()._get_response_headers_for_code(status_code, direction)
        for name, required, description in HEADERS.get(int(status_code), []):
            headers.setdefault(
                name,
                {"schema": {"type": "string"}, "description": description, "required": required},
            )
        return headers

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.DateField) and schema and "$ref" not in schema:
            with_day_range(schema, field.validators)
        return schema


# --- ranges -----------------------------------------------------------------------------------


def _bounds(validators) -> tuple[object, object]:
    """The lowest and highest value the validators let through: Django's MinValueValidator
    and MaxValueValidator, or a validator of both ends with `bounds`."""
    low = high = None
    for validator in validators:
        if isinstance(validator, MinValueValidator):
            low = validator.limit_value
        elif isinstance(validator, MaxValueValidator):
            high = validator.limit_value
        elif isinstance(getattr(validator, "bounds", None), tuple):
            low, high = validator.bounds
    return low, high


def _years(first: int, last: int) -> str:
    """A regular expression of the four-digit years `first` to `last`: whole centuries and
    decades by their digits, the rest one by one."""
    parts = []
    for century in range(first - first % 100, last + 1, 100):
        if first <= century and century + 99 <= last:
            parts.append(f"{century // 100}[0-9][0-9]")
            continue
        for decade in range(century, century + 100, 10):
            years = [y for y in range(decade, decade + 10) if first <= y <= last]
            if len(years) == 10:
                parts.append(f"{decade // 10}[0-9]")
            else:
                parts.extend(str(y) for y in years)
    return "|".join(parts)


def with_day_range(schema: dict, validators) -> dict:
    """A date's schema with the range its validators refuse outside of. OpenAPI has no
    minimum for dates: whole years are said with a pattern (the format does the months and
    days), and the range in words."""
    first, last = _bounds(validators)
    if not isinstance(first, dt.date) or not isinstance(last, dt.date):
        return schema
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31):
        schema["pattern"] = rf"^({_years(first.year, last.year)})-"
    words = f"From {first.isoformat()} to {last.isoformat()}."
    description = schema.get("description", "")
    if words not in description:
        schema["description"] = f"{description} {words}".strip()
    return schema


def with_number_range(schema: dict, validators) -> dict:
    low, high = _bounds(validators)
    if isinstance(low, int | float):
        schema["minimum"] = low
    if isinstance(high, int | float):
        schema["maximum"] = high
    return schema


def code_schema(model) -> dict:
    """A code as the model keeps it: its length and, where it has one, its pattern."""
    field = model._meta.get_field("code")
    schema = {"type": "string", "minLength": 1, "maxLength": field.max_length}
    for validator in field.validators:
        if isinstance(validator, RegexValidator) and not validator.inverse_match:
            # Python's anchors and digits as ECMA-262, the schema's dialect, spells them.
            pattern = validator.regex.pattern
            for python, ecma in ((r"\A", "^"), (r"\Z", "$"), (r"\d", "[0-9]")):
                pattern = pattern.replace(python, ecma)
            schema["pattern"] = pattern
    return schema


class CodeFieldScheme(OpenApiSerializerFieldExtension):
    """An office, indicator or region written by its code: the code's length and shape."""

    target_class = "api.serializers.CodeField"

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        queryset = getattr(self.target, "queryset", None)
        if direction == "request" and queryset is not None and schema.get("type") == "string":
            schema.update(code_schema(queryset.model))
        return schema


class LinkListScheme(OpenApiSerializerFieldExtension):
    """A list of related objects: at most so many, each an id or a code."""

    target_class = "api.serializers.LinkList"

    def map_serializer_field(self, auto_schema, direction):
        from .serializers import MAX_ID

        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        schema["maxItems"] = self.target.max_length
        items = schema.get("items", {})
        if items.get("type") == "integer":
            items.update(minimum=1, maximum=MAX_ID)
        return schema


class FilterScheme(DjangoFilterExtension):
    """django-filter's parameters with the ranges their validators refuse outside of."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        validators = list(filter_field.extra.get("validators", []))
        for key, cls in (("min_value", MinValueValidator), ("max_value", MaxValueValidator)):
            if filter_field.extra.get(key) is not None:
                validators.append(cls(filter_field.extra[key]))
        for parameter in parameters:
            schema = parameter["schema"]
            if schema.get("format") == "date":
                with_day_range(schema, validators)
            elif schema.get("type") in ("integer", "number"):
                with_number_range(schema, validators)
        return parameters


# --- authentication ---------------------------------------------------------------------------


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A personal API token, created under “API tokens” in the application: "
                "`Authorization: Bearer kpi_...`."
            ),
        }
