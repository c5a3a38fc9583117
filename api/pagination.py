import re

from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from activities.counts.keyset import COUNT_CAP
from common.keyset import BadCursor


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=` and `?page_size=` (at most 200)."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_schema_operation_parameters(self, view):
        page, size = super().get_schema_operation_parameters(view)
        page["schema"]["minimum"] = 1
        page["description"] = "A page number, from 1; past the last page is 404."
        size["schema"].update(minimum=1, maximum=self.max_page_size, default=self.page_size)
        size["description"] = (
            f"Results per page, {self.page_size} by default; a larger number than "
            f"{self.max_page_size} is read as {self.max_page_size}."
        )
        return [page, size]


class ActivityPagination(PageNumberPagination):
    """The activity list: by page number where the roll-up pages it, by cursor otherwise
    (a search, a sort by title or by last change, filters it cannot count), where `next`
    and `previous` are cursor links and `count` is counted up to a cap
    (`count_is_capped`). `?page=` is still read there (by OFFSET, for old scripts)."""

    cursor_query_param = "cursor"
    keyset = None  # the list's KeysetList while a cursor page is answered

    def paginate_keyset(self, rows, request, view=None) -> list:
        """A page of an `activities.counts.keyset.KeysetList`: 400 for a bad cursor, 404
        for a page number past the end."""
        self.request, self.keyset = request, rows
        size = self.get_page_size(request)
        cursor = request.query_params.get(self.cursor_query_param)
        number = request.query_params.get(self.page_query_param)
        if cursor:
            try:
                self.keyset_page = rows.page(cursor, size)
            except BadCursor:
                raise exceptions.ValidationError(
                    {
                        self.cursor_query_param: [
                            _("Not a cursor of this list: follow the next and previous links.")
                        ]
                    }
                ) from None
        elif number in self.last_page_strings:
            self.keyset_page = rows.page(rows.last_cursor(), size)
        elif number:
            try:
                page = rows.numbered(_positive(number), size)
            except ValueError:
                page = None
            if page is None:
                raise exceptions.NotFound(self.invalid_page_message)
            self.keyset_page = page
        else:
            self.keyset_page = rows.page(None, size)
        self.totals = rows.totals()
        return self.keyset_page.rows

    def _cursor_link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_paginated_response(self, data):
        if self.keyset is None:
            count, capped = self.page.paginator.count, False
            links = self.get_next_link(), self.get_previous_link()
        else:
            count, capped = self.totals.count, self.totals.capped
            links = (
                self._cursor_link(self.keyset_page.next_cursor),
                self._cursor_link(self.keyset_page.previous_cursor),
            )
        return Response(
            {
                "count": count,
                "count_is_capped": capped,
                "next": links[0],
                "previous": links[1],
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        properties = response["properties"]
        properties["count"]["description"] = (
            "How many activities match. A list counted from its rows (a search, say) is "
            f"counted up to {COUNT_CAP:,}: past that, {COUNT_CAP:,} and count_is_capped."
        )
        properties["count_is_capped"] = {
            "type": "boolean",
            "description": "True when more activities match than `count` says (the cap).",
        }
        for name in ("next", "previous"):
            properties[name]["description"] = (
                f"The {name} page: by page number, or by cursor on a list paged by cursor "
                "(a search, a sort by title); follow it as it is."
            )
        response["required"] = ["count", "count_is_capped", "results"]
        return response

    def get_schema_operation_parameters(self, view):
        page, size = super().get_schema_operation_parameters(view)
        page["description"] = (
            "A page number, from 1 (or `last`); past the last page is 404. On a list paged by "
            "cursor (a search, a sort by title or by last change) it still works, slower "
            "deep in a long list: follow the `next` link instead."
        )
        cursor = {
            "name": self.cursor_query_param,
            "required": False,
            "in": "query",
            "description": (
                "An opaque cursor from a `next` or `previous` link of the same list (same "
                "filters and sort); anything else is 400."
            ),
            "schema": {"type": "string"},
        }
        return [page, size, cursor]


def _positive(value: str) -> int:
    """A page number: ASCII digits, at most nine (its OFFSET fits the database's integers),
    from 1; ValueError otherwise (404, as past the end)."""
    if not re.fullmatch(r"[0-9]{1,9}", value) or int(value) < 1:
        raise ValueError(value)
    return int(value)
