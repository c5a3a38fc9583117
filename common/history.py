"""Reading django-simple-history's records."""

from __future__ import annotations


def previous_record(history_instance):
    """The record before this one. By id, not by date as simple-history's `prev_record`
    does: two changes within the same instant must still come in order."""
    return (
        type(history_instance)
        .objects.filter(id=history_instance.id, history_id__lt=history_instance.history_id)
        .order_by("-history_id")
        .first()
    )
