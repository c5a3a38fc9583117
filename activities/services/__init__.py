"""Writes with rules: create, change, submit, verify, return, remove, reopen a month.

Views, the API, the import and the demo call these and nothing else. Each checks who may do
it (activities.access), that the period is open and that the data is complete, inside one
transaction; a refusal says why. What is where: checks (what every write checks), writing
(create and change), bulk (many written at once, as columns), stale (an edit refused as
stale), workflow (submit, verify, return, remove), reopening (a closed month).
"""

from .bulk import activities_bulk_write, activities_create_checked, activities_create_kept
from .checks import EDITABLE_ATTNAMES, EDITABLE_FIELDS, M2M_FIELDS
from .reopening import reopening_decide, reopening_request
from .stale import ConflictError, FieldChange, changes_since
from .workflow import activities_return, activities_submit, activities_verify, activity_remove
from .writing import (
    activities_create_bulk,
    activity_check,
    activity_create,
    activity_draft_and_ask_reopening,
    activity_update,
)

__all__ = [
    "EDITABLE_ATTNAMES",
    "EDITABLE_FIELDS",
    "M2M_FIELDS",
    "ConflictError",
    "FieldChange",
    "activities_bulk_write",
    "activities_create_bulk",
    "activities_create_checked",
    "activities_create_kept",
    "activities_return",
    "activities_submit",
    "activities_verify",
    "activity_check",
    "activity_create",
    "activity_draft_and_ask_reopening",
    "activity_remove",
    "activity_update",
    "changes_since",
    "reopening_decide",
    "reopening_request",
]
