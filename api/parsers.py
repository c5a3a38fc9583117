"""JSON bodies only, and never larger than settings.KPI_API_MAX_BODY_BYTES: a larger one
is refused with 413 before a byte of it is parsed.

A body nested deeper than MAX_DEPTH, or with a NUL character (\u0000) in a string or a
name, is refused with 400: Python's decoder gives up on deep nesting with a RecursionError
(a 500), and PostgreSQL refuses a NUL in any text. No request of the API nests more than
a few levels."""

from __future__ import annotations

import io

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "payload_too_large"


MAX_DEPTH = 32


def _check_parsed(data) -> None:
    """ParseError for nesting deeper than MAX_DEPTH or a NUL anywhere; iterative, so that
    the check itself cannot run out of stack."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise ParseError(
                    _(
                        "A text in the JSON body contains a NUL character (\\u0000), which is not allowed."
                    )
                )
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise ParseError(
                    _("The JSON body is nested deeper than %(depth)d levels.")
                    % {"depth": MAX_DEPTH}
                )
            if isinstance(value, dict):
                pending.extend((key, depth) for key in value)
                pending.extend((item, depth + 1) for item in value.values())
            else:
                pending.extend((item, depth + 1) for item in value)


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.KPI_API_MAX_BODY_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        try:
            too_large = declared is not None and int(declared) > limit
        except ValueError:
            too_large = False
        if too_large:
            raise PayloadTooLarge(
                _("The request body is larger than %(limit)d bytes.") % {"limit": limit}
            )
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise PayloadTooLarge(
                _("The request body is larger than %(limit)d bytes.") % {"limit": limit}
            )
        try:
            data = super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(
                _("The JSON body is nested deeper than %(depth)d levels.") % {"depth": MAX_DEPTH}
            ) from exc
        _check_parsed(data)
        return data
