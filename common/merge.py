"""The three-way rule for an edit made on a stale copy.

A person opens a form on one version of a record (the *base*), changes some of its fields
and submits (*mine*); meanwhile someone else saved the record (*theirs*, the latest). The
save is refused, and the form is offered again merged field by field:

- a field the person did not touch takes the latest value: saving again never puts back
  what someone else changed;
- a field only the person changed keeps the person's value;
- a field both changed to the same value is not a conflict;
- a field both changed to different values is a conflict: the person chooses between
  their value and the other one, and nothing is saved until they do.

Values are compared with ==, so a caller hands over comparable values: ids rather than
objects, frozensets for many-to-many fields, stripped text.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Merge:
    """The outcome of `three_way`, key by key."""

    values: dict[Hashable, Any]
    """What to offer again: the latest value where the person did not touch the key, the
    person's value otherwise (for a conflict, the person's value until they choose)."""
    theirs_changed: frozenset
    """The keys someone else changed since the base."""
    mine_changed: frozenset
    """The keys the person changed since the base."""
    conflicts: frozenset
    """The keys both changed, to different values: the person must choose."""

    def outcome(self, key: Hashable) -> str:
        """For a key someone else changed: "conflict" (choose), "same" (both made the same
        change) or "theirs" (the person had not touched it: their value is taken)."""
        if key in self.conflicts:
            return "conflict"
        if key in self.mine_changed:
            return "same"
        return "theirs"


def three_way(
    base: Mapping[Hashable, Any] | None,
    mine: Mapping[Hashable, Any],
    theirs: Mapping[Hashable, Any],
) -> Merge:
    """Merge a stale submission. `base` is the version the form was opened on, `mine` what
    was submitted (keys left out are untouched), `theirs` the latest. A key missing from
    `base` or `theirs` has the value None there (a cleared cell, an empty field).

    Without a base (the version the person opened is not on record) nobody can tell what
    the person touched: every key where their value differs from the latest is then a
    conflict, so that nothing is reverted and nothing of theirs is dropped unseen."""
    keys = set(mine) | set(theirs) | set(base or ())
    values: dict[Hashable, Any] = {}
    theirs_changed, mine_changed, conflicts = set(), set(), set()
    for key in keys:
        now = theirs.get(key)
        was = now if base is None else base.get(key)
        wanted = mine.get(key, was)
        if base is None and wanted != now:
            theirs_changed.add(key)
            mine_changed.add(key)
            conflicts.add(key)
        if now != was:
            theirs_changed.add(key)
        if wanted != was:
            mine_changed.add(key)
        if wanted == was:
            values[key] = now
        else:
            values[key] = wanted
            if now not in (was, wanted):
                conflicts.add(key)
    return Merge(
        values=values,
        theirs_changed=frozenset(theirs_changed),
        mine_changed=frozenset(mine_changed),
        conflicts=frozenset(conflicts),
    )
