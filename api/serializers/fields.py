"""The fields every resource uses: ids and codes as URLs take them, days in a range, links to other rows by code or id, and the version read."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from offices.models import (
    FIRST_DAY,
    LAST_DAY,
)

MAX_LINKS = 50  # counterparts, partners or participating offices on one activity


MAX_ID = 2**63 - 1  # a larger number is no row's id (and no database takes it)


ID_PATTERN = r"[0-9]{1,18}"  # ids in URLs: digits only, and never more than MAX_ID


CODE_PATTERN = r"[-a-zA-Z0-9_]{1,40}"  # codes in URLs: what region, office, indicator codes use


MAX_VERSION = 2**31 - 1  # an activity's version is a PositiveIntegerField


class DayRange:
    """A day a person records or asks about lies from FIRST_DAY to LAST_DAY; one message
    gives both ends. The schema reads `bounds` (api.schema)."""

    bounds = (FIRST_DAY, LAST_DAY)

    def __call__(self, day: dt.date) -> None:
        first, last = self.bounds
        if not first <= day <= last:
            raise serializers.ValidationError(
                _("Give a date from %(first)s to %(last)s.") % {"first": first, "last": last}
            )


class DayField(serializers.DateField):
    def __init__(self, **kwargs):
        kwargs["validators"] = [*kwargs.get("validators", []), DayRange()]
        super().__init__(**kwargs)


class CodeField(serializers.SlugRelatedField):
    """An office, indicator or region named by its code."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        super().__init__(**kwargs)


class LinkList(serializers.ManyRelatedField):
    """A list of related objects, by id or code: at most `max_length`, read in one query
    whatever their number (DRF's own reads one by one)."""

    default_error_messages = {
        **serializers.ManyRelatedField.default_error_messages,
        "max_length": _("Give at most {max_length}."),
        "wrong_item": _("Each item must be {kind}, not {value!r}."),
        "missing": _("Not found: {missing}."),
    }

    def __init__(self, *, max_length: int = MAX_LINKS, **kwargs):
        self.max_length = max_length
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str | dict) or not hasattr(data, "__iter__"):
            self.fail("not_a_list", input_type=type(data).__name__)
        data = list(data)
        if not self.allow_empty and not data:
            self.fail("empty")
        if len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        child = self.child_relation
        key = getattr(child, "slug_field", "pk")
        kind, wanted = (str, _("a code")) if key != "pk" else (int, _("an id"))
        for item in data:
            if isinstance(item, bool) or not isinstance(item, kind):
                self.fail("wrong_item", kind=wanted, value=item)
            if kind is int and not 0 < item <= MAX_ID:
                self.fail("missing", missing=item)
        found = {
            getattr(obj, key): obj for obj in child.get_queryset().filter(**{f"{key}__in": data})
        }
        missing = [str(item) for item in data if item not in found]
        if missing:
            self.fail("missing", missing=", ".join(dict.fromkeys(missing)))
        return [found[item] for item in dict.fromkeys(data)]


def links(child: serializers.RelatedField, **kwargs) -> LinkList:
    return LinkList(child_relation=child, **kwargs)


def version_field() -> serializers.IntegerField:
    """The version a change was made on, as PUT, PATCH and remove take it."""
    return serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_VERSION,
        help_text=_(
            "The version you read. A stale one is refused with 409 and nothing is saved. "
            "Alternatively send the ETag you read in If-Match (refused with 412)."
        ),
    )
