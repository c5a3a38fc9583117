"""What counts, counted: in groups from the roll-up or the rows (groups), the roll-up kept
honest (rollup), the activity list counted and paged with its help (lists)."""

from .groups import GROUPS, counted_groups
from .lists import CountedList, ListCounts, ListOrder, joined, list_counts
from .rollup import (
    KEY_COLUMNS,
    AsOfKey,
    Key,
    differences,
    group_key,
    kept,
    kept_as_of,
    key_of,
    lock_counts,
    rebuild,
    recount,
    recount_as_of,
)

__all__ = [
    "GROUPS",
    "KEY_COLUMNS",
    "AsOfKey",
    "CountedList",
    "Key",
    "ListCounts",
    "ListOrder",
    "counted_groups",
    "differences",
    "group_key",
    "joined",
    "kept",
    "kept_as_of",
    "key_of",
    "list_counts",
    "lock_counts",
    "rebuild",
    "recount",
    "recount_as_of",
]
