"""What counts, counted: in groups from the roll-up or the rows (groups), the roll-up kept
honest (rollup), the activity list counted and paged with its help (lists)."""

from .groups import GROUPS, counted_groups
from .lists import CountedList, ListCounts, ListOrder, joined, list_counts
from .rollup import KEY_COLUMNS, Key, differences, kept, key_of, lock_counts, rebuild, recount

__all__ = [
    "GROUPS",
    "KEY_COLUMNS",
    "CountedList",
    "Key",
    "ListCounts",
    "ListOrder",
    "counted_groups",
    "differences",
    "joined",
    "kept",
    "key_of",
    "list_counts",
    "lock_counts",
    "rebuild",
    "recount",
]
