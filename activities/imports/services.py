"""The preview and the confirmation of an import, each one transaction.

The file is kept in an ImportBatch for its uploader, with its rows as read and the
activities the preview passed (`kept`). Confirming checks again what can have changed since
(the months, the day, duplicates; every row again, matched and checked by `activity_check`,
if the reference data or the uploader's rights changed or one of those fails; the file is
not read again), and creates, as drafts, exactly the rows the preview showed as new (the
kept activities as columns through `activities_create_kept`, rows checked again through
`activities_create_checked`), in one transaction: all of them, or none if any has
become invalid or a duplicate in the meantime (the preview is then updated to say which
and why). Confirmations into the same lead offices take their turn, so the same rows
confirmed twice at once are imported once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from common.collector import cycles_collected_after
from common.db import retry_on_conflict
from common.web import unwrapped
from offices.models import Office

from ..access import can_write_for_office
from ..models import ImportBatch
from ..services import M2M_FIELDS, activities_create_checked, activities_create_kept
from .kept import keep, kept_rows, still_new
from .lookups import Lookups
from .rows import (
    DUPLICATE,
    INVALID,
    NEW,
    RowResult,
    check_rows,
    mark_duplicates,
    parse_rows,
    read_rows,
)
from .tables import Table, read_table, table_from_json, table_to_json
from .upload import check_upload

SUMMARY_ROWS = 20  # invalid rows listed in the error summary; the table has them all


@cycles_collected_after
@transaction.atomic
def import_preview(*, user, office: Office, upload: UploadedFile) -> ImportBatch:
    """Check an uploaded file and keep it, with the preview of every row, for its uploader.
    Nothing is imported yet. The uploader's earlier previews that were not imported go."""
    user = unwrapped(user)  # read for every row: not through request.user's proxy
    if not office.is_active or not can_write_for_office(user, office):
        raise PermissionDenied
    name, file_format, content = check_upload(upload)
    table = read_table(name=name, file_format=file_format, content=content)
    lookups = Lookups(user=user, office=office)
    rows, example_skipped = read_rows(lookups=lookups, table=table)
    check_rows(user=user, rows=rows)
    ImportBatch.objects.filter(created_by=user, imported_at__isnull=True).delete()
    return ImportBatch.objects.create(
        office=office,
        created_by=user,
        original_name=name,
        file_format=file_format,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        report=_report(table, rows, example_skipped=example_skipped),
        table=table_to_json(table),
        checked=keep(rows, lookups),
    )


@dataclass(frozen=True)
class ImportOutcome:
    imported: int  # activities created
    refused: int  # rows of the preview that can no longer be imported (then nothing is)
    duplicates: int = 0  # of those, rows recorded since the preview


def _lock_lead_offices(rows: Iterable[RowResult]) -> None:
    """Serialise the imports into the same lead offices, so that the second of two that
    meet finds the first one's rows when it looks for duplicates (each statement of a READ
    COMMITTED transaction sees what was committed before it began). FOR NO KEY UPDATE,
    in one order: the foreign-key checks of other inserts (FOR KEY SHARE) and of the
    roll-up's rows are not held up by it, and two imports cannot deadlock on it."""
    office_ids = sorted({row.kwargs["lead_office"].pk for row in rows if row.kwargs})
    if office_ids:
        list(
            Office.objects.select_for_update(no_key=True)
            .filter(pk__in=office_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


@cycles_collected_after
@retry_on_conflict
def import_confirm(*, user, batch_id: int, expected: int) -> ImportOutcome:
    """Create, as drafts, exactly the rows the preview showed as new: all of them, or none.

    What may have changed since the preview is checked again (a month closed, the same
    activity logged by a colleague, the same file imported by someone else a moment ago).
    While the reference data and the uploader's rights are as they were, the activities the
    preview passed are checked against the months, the day and the activities recorded
    since (`kept`); otherwise, or if one of them fails, every row kept from the file is
    matched and checked again. If any of those rows fails, nothing is created and the
    preview is updated to say which and why. `expected` is the count on the
    button the person pressed: if the preview has changed since their page was drawn,
    nothing is done. The batch is locked, so the same confirmation sent twice imports
    once; the lead offices are locked before duplicates are looked for, so two
    confirmations of the same rows import them once. One transaction, run again if the
    database ends it for a deadlock.
    """
    user = unwrapped(user)  # stamped on every activity: not through request.user's proxy
    batch = (
        ImportBatch.objects.for_user(user)
        .select_for_update(of=("self",))
        .select_related("office")
        .defer("content", "table")  # read only if the rows must be read again
        .filter(pk=batch_id)
        .first()
    )
    if batch is None:
        raise ImportBatch.DoesNotExist
    if batch.imported_at is not None:
        raise ValidationError(
            _("This file was already imported, on %(when)s.")
            % {
                "when": formats.date_format(
                    timezone.localtime(batch.imported_at), "SHORT_DATETIME_FORMAT"
                )
            },
            code="imported",
        )
    if not can_write_for_office(user, batch.office):
        raise PermissionDenied
    report = batch.report
    previewed = {row["number"] for row in report["rows"] if row["status"] == NEW}
    if not previewed:
        raise ValidationError(_("There is nothing to import in this file."), code="empty")
    if expected != len(previewed):
        raise ValidationError(
            _("The preview changed after this page was opened. Check it again, then import."),
            code="stale",
        )

    lookups = Lookups(user=user, office=batch.office)
    kept = kept_rows(batch.checked, lookups=lookups, numbers=previewed)
    if kept is not None:
        _lock_lead_offices(kept.rows)
        if still_new(user=user, rows=kept.rows):
            activities_create_kept(
                user=user, fields=kept.fields, links={"counterparts": kept.counterparts}
            )
            return _imported(batch, count=len(kept.rows))

    # Something has changed since the preview (or the batch predates `checked`): every row
    # is read and checked again, to say which can no longer be imported, and why.
    table = (
        table_from_json(batch.table)
        if batch.table
        else read_table(
            name=batch.original_name, file_format=batch.file_format, content=bytes(batch.content)
        )
    )
    rows, _example = parse_rows(lookups=lookups, table=table)
    _lock_lead_offices(row for row in rows if row.number in previewed)
    mark_duplicates(rows)
    rows = [row for row in rows if row.number in previewed]
    check_rows(user=user, rows=rows)
    refused = [row for row in rows if row.status != NEW]
    if not refused and len(rows) == len(previewed):
        activities_create_checked(
            user=user,
            checked=[
                (row.activity, {name: row.kwargs.get(name, []) for name in M2M_FIELDS})
                for row in rows
            ],
        )
        return _imported(batch, count=len(rows))

    fresh = {row.number: row.as_dict(table) for row in rows}
    report["rows"] = [fresh.get(row["number"], row) for row in report["rows"]]
    report["counts"] = _counts(row["status"] for row in report["rows"])
    batch.report = report
    # What the next confirmation may rely on: the rows still new, as just checked.
    batch.checked = keep(rows, lookups)
    batch.save(update_fields=["report", "checked"])
    return ImportOutcome(
        imported=0,
        refused=len(refused) or len(previewed) - len(rows),
        duplicates=sum(row.status == DUPLICATE for row in refused),
    )


def _imported(batch: ImportBatch, *, count: int) -> ImportOutcome:
    """Mark the batch imported, once its `count` activities are written."""
    batch.imported_at = timezone.now()
    batch.imported_count = count
    batch.save(update_fields=["imported_at", "imported_count"])
    return ImportOutcome(imported=count, refused=0)


def batch_rows(batch: ImportBatch, *, status: str = "") -> list[dict[str, Any]]:
    """The preview's rows, all or those of one status."""
    rows = batch.report.get("rows", [])
    return [row for row in rows if row["status"] == status] if status else rows


def _report(table: Table, rows: Sequence[RowResult], *, example_skipped: bool) -> dict[str, Any]:
    return {
        "ignored_columns": table.ignored,
        "example_skipped": example_skipped,
        "rows": [row.as_dict(table) for row in rows],
        "counts": _counts(row.status for row in rows),
    }


def _counts(statuses: Iterable[str]) -> dict[str, int]:
    counts = {NEW: 0, DUPLICATE: 0, INVALID: 0}
    for status in statuses:
        counts[status] += 1
    return counts
