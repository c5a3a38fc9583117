"""The activities' models, one module a model group; everything is importable from here, as
Django and the migrations expect."""

from .activity import (
    COUNTING_STATUSES,
    Activity,
    ActivityQuerySet,
    AuthorityLevel,
    Status,
    counted_as_of,
    end_of_day,
)
from .counts import NO_REGION, ActivityAsOfCount, ActivityMonthCount
from .evidence import Evidence, evidence_path
from .imports import MAX_IMPORT_FILE_BYTES, ImportBatch
from .periods import PeriodReopening

__all__ = [
    "COUNTING_STATUSES",
    "MAX_IMPORT_FILE_BYTES",
    "NO_REGION",
    "Activity",
    "ActivityAsOfCount",
    "ActivityMonthCount",
    "ActivityQuerySet",
    "AuthorityLevel",
    "Evidence",
    "ImportBatch",
    "PeriodReopening",
    "Status",
    "counted_as_of",
    "end_of_day",
    "evidence_path",
]
