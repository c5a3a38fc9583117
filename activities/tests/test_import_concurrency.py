"""Bulk import: confirmations that meet. Two people who uploaded the same file confirm at
the same moment, or one person presses the button twice: the rows are imported once, and
whoever came second is told why nothing was imported.

Real concurrent transactions on PostgreSQL: each confirmation is a request of its own, in
a thread of its own with its own connection, and a barrier lets them go at once.
"""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from activities.models import Activity, ImportBatch
from activities.tests.test_import import make_xlsx, preview_of, upload, visit
from offices.services import reference_data_load

HK = ZoneInfo("Asia/Hong_Kong")
ROWS = 20

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent transactions need PostgreSQL (SQLite lets one writer in at a time)",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.frozen_at(dt.datetime(2026, 6, 30, 10, tzinfo=HK)),
]


@pytest.fixture(autouse=True)
def reference(transactional_db):
    reference_data_load()


def _file() -> bytes:
    return make_xlsx(
        [visit(day=f"2026-06-{1 + n % 28:02d}", title=f"Visit {n}") for n in range(ROWS)]
    )


def _previewed(user) -> ImportBatch:
    client = Client()
    client.force_login(user)
    batch = preview_of(upload(client, _file()))
    assert batch.report["counts"] == {"new": ROWS, "duplicate": 0, "invalid": 0}
    return batch


def _confirm_at_once(confirmations: list[tuple[object, ImportBatch]]) -> list[list[str]]:
    """Each (user, batch) confirmed in a thread of its own, all let go together; the
    messages each person was shown, in the same order."""
    clients = []
    for user, _batch in confirmations:
        client = Client()
        client.force_login(user)
        clients.append(client)
    barrier = threading.Barrier(len(confirmations))
    told: list[list[str] | BaseException] = [[] for _ in confirmations]

    def run(index: int) -> None:
        client, (_user, batch) = clients[index], confirmations[index]
        try:
            barrier.wait()
            response = client.post(
                reverse("activities:import-confirm", args=[batch.pk]), {"expected": ROWS}
            )
            assert response.status_code == 302, response
            told[index] = [str(m) for m in get_messages(response.wsgi_request)]
        except BaseException as exc:  # reported below, in the test's own thread
            told[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(confirmations))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for outcome in told:
        if isinstance(outcome, BaseException):
            raise outcome
    return told


def test_two_people_confirming_the_same_file_at_once_import_it_once(staff_a, supervisor_a):
    first, second = _previewed(staff_a), _previewed(supervisor_a)

    told = _confirm_at_once([(staff_a, first), (supervisor_a, second)])

    assert Activity.objects.count() == ROWS
    imported = [i for i, messages in enumerate(told) if "Imported 20 activities" in messages[0]]
    assert len(imported) == 1, told
    winner, loser = (first, second) if imported == [0] else (second, first)
    [message] = told[1 - imported[0]]
    assert message.startswith("Nothing was imported: the 20 rows were recorded"), message
    loser.refresh_from_db()
    winner.refresh_from_db()
    assert (winner.imported_count, loser.imported_at) == (ROWS, None)
    assert loser.report["counts"] == {"new": 0, "duplicate": ROWS, "invalid": 0}
    recorded = set(Activity.objects.values_list("pk", flat=True))
    assert {row["duplicate_of_activity"] for row in loser.report["rows"]} == recorded


def test_one_person_pressing_confirm_twice_imports_once(staff_a):
    batch = _previewed(staff_a)

    told = _confirm_at_once([(staff_a, batch), (staff_a, batch)])

    assert Activity.objects.count() == ROWS
    first_messages = sorted(messages[0] for messages in told)
    assert first_messages[0].startswith("Imported 20 activities as drafts."), told
    assert first_messages[1].startswith("This file was already imported, on "), told
    batch.refresh_from_db()
    assert batch.imported_count == ROWS
