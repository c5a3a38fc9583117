"""One row of the table into a candidate activity, or the issues that refuse it, each in the
column it is about.

Names are matched against the reference data (`lookups`). A cell that holds a formula is
refused in its row, never read as the result the file may carry (which the program that
saved it computed, if any did). Duplicates: an activity (not removed) with the same lead
office, indicator, date and title (normalised, case-insensitive), or the same row earlier
in the file; one query. The rules: every other row goes through `services.activity_check`,
the checks that `activity_create` runs, without writing, so the preview gives exactly the
messages the form would give. Period states are looked up once per office and month.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from offices.models import Counterpart, Office

from ..models import Activity, AuthorityLevel
from ..periods import period_states
from ..services import activity_check
from .cells import (
    CONTROL_CHARACTERS,
    CellError,
    cell_text,
    date_note,
    normalise,
    other_reading,
    parse_date,
    split_list,
    tidy,
)
from .columns import COLUMNS_BY_KEY, EXAMPLE_TITLE, FIELD_COLUMNS
from .lookups import Lookups
from .tables import Table

NEW, DUPLICATE, INVALID = "new", "duplicate", "invalid"


@dataclass
class RowResult:
    number: int
    values: dict[str, str] = field(default_factory=dict)  # what the preview shows
    issues: list[tuple[str, str]] = field(default_factory=list)  # (column key or "", message)
    kwargs: dict[str, Any] | None = None  # for activity_create; None: cannot be checked
    key: tuple | None = None  # (office, indicator, date, title) for duplicates
    duplicate_of_row: int | None = None
    duplicate_of_activity: int | None = None
    # a date that reads two ways: (as written, as read day/month/year, month/day/year)
    date_read: tuple[str, dt.date, dt.date] | None = None
    activity: Activity | None = None  # unsaved, once `check_rows` has passed it

    def issue(self, column: str, message: str) -> None:
        self.issues.append((column, message))

    def has_issue(self, column: str) -> bool:
        return any(key == column for key, _message in self.issues)

    @property
    def status(self) -> str:
        if self.duplicate_of_row or self.duplicate_of_activity:
            return DUPLICATE
        return INVALID if self.issues else NEW

    def add_service_errors(self, exc: ValidationError) -> None:
        """The service's messages, each put in the column it is about. A column whose cell
        could not be read already says why; the service's view of it would only confuse."""
        if hasattr(exc, "error_dict"):
            for name, messages in exc.message_dict.items():
                column = FIELD_COLUMNS.get(name, "")
                if column and self.has_issue(column):
                    continue
                for message in messages:
                    self.issue(column, message)
        else:
            for message in exc.messages:
                self.issue("", message)

    def as_dict(self, table: Table) -> dict[str, Any]:
        return {
            "number": self.number,
            "status": self.status,
            "values": self.values,
            "issues": [
                {
                    "column": column,
                    "letter": table.letter(column) if column else "",
                    "label": (
                        (table.labels.get(column) or COLUMNS_BY_KEY[column].header)
                        if column
                        else ""
                    ),
                    "message": message,
                }
                for column, message in self.issues
            ],
            "duplicate_of_row": self.duplicate_of_row,
            "duplicate_of_activity": self.duplicate_of_activity,
            # Beside a refusal only: a row that is imported needs no second look.
            "date_note": date_note(*self.date_read)
            if self.date_read and self.status != NEW
            else "",
        }


def _parse_row(number: int, cells: Sequence[Any], table: Table, lookups: Lookups) -> RowResult:
    row = RowResult(number=number)
    formulas = table.formulas.get(number, ())
    for key in formulas:
        row.issue(
            key,
            _("cell %(cell)s holds a formula: paste it as text (Paste Special › Values).")
            % {"cell": f"{table.letter(key)}{number}"},
        )

    def raw(key: str) -> Any:
        if key in formulas:
            return None  # refused above; its result is never read
        index = table.positions.get(key)
        value = cells[index] if index is not None and index < len(cells) else None
        # Control characters never reach a message or the database: PostgreSQL refuses a
        # NUL in text and in JSON, and a CSV can carry one past the bytes that are sniffed.
        return CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value

    def text(key: str) -> str:
        return cell_text(raw(key))

    if formulas and not any(text(key).strip() for key in table.positions):
        # Nothing but formulas (which may show nothing): "give the date" would be noise.
        row.values = dict.fromkeys(("date", "indicator", "title", "lead_office", "region"), "")
        return row

    occurred_on = None
    if row.has_issue("date"):
        pass
    elif not text("date").strip():
        row.issue("date", _("Give the date of the activity."))
    else:
        try:
            occurred_on = parse_date(raw("date"))
        except CellError as exc:
            row.issue("date", exc.message)
        else:
            if other := other_reading(raw("date")):
                row.date_read = (tidy(text("date")), occurred_on, other)
    row.values["date"] = occurred_on.isoformat() if occurred_on else tidy(text("date"))

    indicator = None
    name = tidy(text("indicator"))
    if not name:
        if not row.has_issue("indicator"):
            row.issue("indicator", _("Give the indicator."))
    else:
        indicator = lookups.indicators.get(normalise(name))
        if indicator is None:
            row.issue(
                "indicator",
                _(
                    "“%(name)s” is not an indicator. Use its name in English or Chinese, or one of the codes %(codes)s."
                )
                % {"name": name, "codes": lookups.indicator_codes},
            )
        elif not indicator.is_active:
            row.issue(
                "indicator", _("The indicator “%(name)s” is no longer in use.") % {"name": name}
            )
            indicator = None
    row.values["indicator"] = lookups.name_of(indicator) if indicator else name

    title = tidy(text("title"))
    row.values["title"] = title

    lead_office = None
    code = unicodedata.normalize("NFKC", text("lead_office")).strip().upper()
    if row.has_issue("lead_office"):
        pass  # a formula: not the upload's office, which an empty cell would mean
    elif not code:
        lead_office = lookups.allowed.get(lookups.office.pk)
        if lead_office is None:
            row.issue("lead_office", _("You cannot record activities for this office."))
    else:
        office = lookups.offices.get(code)
        if office is None:
            row.issue(
                "lead_office",
                _("“%(code)s” is not an office or unit code. Use %(codes)s, or leave it empty.")
                % {"code": code, "codes": lookups.allowed_codes},
            )
        elif office.pk not in lookups.allowed:
            row.issue(
                "lead_office",
                _(
                    "%(office)s (%(code)s) is not an office you can import for here: use "
                    "%(codes)s, or leave it empty."
                )
                % {"office": office.name, "code": code, "codes": lookups.allowed_codes},
            )
        else:
            lead_office = office
    row.values["lead_office"] = lead_office.code if lead_office else code

    region = None
    name = tidy(text("region"))
    if name:
        region = lookups.regions.get(normalise(name))
        if region is None:
            row.issue(
                "region",
                _(
                    "“%(name)s” is not a province, municipality or region we know. Use its name "
                    "in English or Chinese, or its six-digit code (440000 for Guangdong)."
                )
                % {"name": name},
            )
    row.values["region"] = lookups.name_of(region) if region else name

    counterparts: list[Counterpart] = []
    for name in split_list(text("counterparts")):
        found = lookups.counterparts.get(normalise(name), [])
        if len(found) > 1 and indicator is not None:
            offered = [c for c in found if c.type in (indicator.counterpart_types or [])]
            found = offered if len(offered) == 1 else found
        if not found:
            row.issue(
                "counterparts",
                _(
                    "“%(name)s” is not in the counterpart directory. Check the spelling, or add "
                    "it on the Counterparts page first."
                )
                % {"name": name},
            )
        elif len(found) > 1:
            row.issue(
                "counterparts",
                _(
                    "“%(name)s” is the name of %(count)d counterparts in the directory: write "
                    "its name in the other language to say which."
                )
                % {"name": name, "count": len(found)},
            )
        elif found[0] not in counterparts:
            counterparts.append(found[0])

    authority_level = ""
    level = tidy(text("authority_level"))
    if level:
        authority_level = lookups.authority_levels.get(normalise(level), "")
        if not authority_level and (indicator is None or indicator.asks_authority_level):
            row.issue(
                "authority_level",
                _("“%(value)s” is not a level. Use one of: %(levels)s.")
                % {
                    "value": level,
                    "levels": ", ".join(str(label) for label in AuthorityLevel.labels),
                },
            )

    if indicator and lead_office and occurred_on:
        row.kwargs = {
            "lead_office": lead_office,
            "indicator": indicator,
            "occurred_on": occurred_on,
            "title": title,
            "region": region,
            "city": tidy(text("city")),
            "authority_level": authority_level,
            "event_name": tidy(text("event")),
            "hk_participants": "\n".join(split_list(text("hk_participants"))),
            "notes": tidy(text("notes"), multiline=True),
            "counterparts": counterparts,
        }
        if title and not formulas:
            row.key = (lead_office.pk, indicator.pk, occurred_on, normalise(title))
    return row


def mark_duplicates(rows: list[RowResult]) -> None:
    """One query for the activities already recorded; the file's own repeats in memory."""
    keyed = [row for row in rows if row.key]
    existing: dict[tuple, int] = {}
    if keyed:
        days = [row.key[2] for row in keyed]
        recorded = (
            Activity.objects.not_removed()
            .filter(
                lead_office_id__in={row.key[0] for row in keyed},
                indicator_id__in={row.key[1] for row in keyed},
                occurred_on__range=(min(days), max(days)),
            )
            .order_by("pk")
            .values_list("pk", "lead_office_id", "indicator_id", "occurred_on", "title")
        )
        for pk, office_id, indicator_id, day, title in recorded:
            existing.setdefault((office_id, indicator_id, day, normalise(title)), pk)
    first_seen: dict[tuple, int] = {}
    for row in keyed:
        if row.key in existing:
            row.duplicate_of_activity = existing[row.key]
        elif row.key in first_seen:
            row.duplicate_of_row = first_seen[row.key]
        else:
            first_seen[row.key] = row.number


def read_rows(*, lookups: Lookups, table: Table) -> tuple[list[RowResult], bool]:
    """Every non-blank row read, matched and checked for duplicates, in a fixed number of
    queries. Returns the rows and whether the template's example row was skipped."""
    rows, example_skipped = parse_rows(lookups=lookups, table=table)
    mark_duplicates(rows)
    return rows, example_skipped


def parse_rows(*, lookups: Lookups, table: Table) -> tuple[list[RowResult], bool]:
    """Every non-blank row read and matched against `lookups` (made for the uploader and the
    file's office), not yet checked for duplicates: a confirmation looks for them only once
    it holds the lead offices of its rows (`services.import_confirm`). Returns the rows and
    whether the template's example row was skipped."""
    rows = []
    example_skipped = False
    example = normalise(EXAMPLE_TITLE)
    for number, cells in table.rows:
        row = _parse_row(number, cells, table, lookups)
        if normalise(row.values["title"]) == example:
            example_skipped = True
            continue
        rows.append(row)
    return rows, example_skipped


def _apply(row: RowResult, action: Callable[[], Any]) -> None:
    try:
        row.activity = action()
    except ValidationError as exc:
        row.add_service_errors(exc)
    except PermissionDenied:
        row.issue("lead_office", _("You cannot record activities for this office."))


def periods_of(rows: Sequence[RowResult]) -> dict:
    """The state of every month the rows fall in, as `activity_check` keeps them: one query
    per lead office (the upload's office and its units), whatever the rows and months."""
    days: dict[Office, set[dt.date]] = {}
    for row in rows:
        if row.kwargs is not None:
            first = row.kwargs["occurred_on"].replace(day=1)
            days.setdefault(row.kwargs["lead_office"], set()).add(first)
    periods: dict = {}
    for office, firsts in days.items():
        ordered = sorted(firsts)
        for first, state in zip(ordered, period_states(office=office, days=ordered), strict=True):
            periods[office.pk, first.year, first.month] = state
    return periods


def check_rows(*, user, rows: Sequence[RowResult]) -> None:
    """The form's rules, from the service itself (`activity_check`, which `activity_create`
    runs too), without writing: the months' states are read once for all rows. A row that
    passes keeps its unsaved activity (`RowResult.activity`), ready to be written."""
    rows = [row for row in rows if row.kwargs is not None and row.status != DUPLICATE]
    periods = periods_of(rows)
    today = timezone.localdate()
    for row in rows:
        _apply(
            row,
            lambda row=row: activity_check(
                user=user, submit=False, periods=periods, today=today, **row.kwargs
            ),
        )
