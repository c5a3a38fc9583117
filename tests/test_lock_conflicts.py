"""A write that loses a lock conflict says that nothing was saved and to try again; a lost
connection still says that the connection was lost (activities/tests/test_faults.py).

Two transactions that want the same rows can meet: PostgreSQL then ends one of them (a
deadlock, a serialisation failure, a lock not had in time), SQLite answers "database is
locked". Nothing of that transaction was kept, so "check whether it was saved" would send
the person looking for a change that is not there. The conflicts are made by an
`execute_wrapper` that fails every write of one table with the error the database gives
(each attempt fails, so a write run again on a conflict fails too); on PostgreSQL, the last
test makes a real deadlock.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.db import OperationalError, connection, connections, transaction
from django.test import RequestFactory
from django.urls import reverse

from activities.models import Activity, Status
from activities.tests.factories import ActivityFactory
from activities.tests.test_import import confirm, make_xlsx, preview_of, upload, visit
from common.db import is_lock_conflict
from common.middleware.database import DatabaseUnavailableMiddleware
from offices.services import reference_data_load

HK = ZoneInfo("Asia/Hong_Kong")
NOTHING_SAVED = "Nothing was saved: others were saving at the same moment. Try again."
CONNECTION_LOST = "The connection to the database was lost"

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(dt.datetime(2026, 6, 30, 10, tzinfo=HK))]


def _from_postgresql(kind: type[psycopg.Error], message: str) -> Callable[[], OperationalError]:
    """The OperationalError Django raises for a PostgreSQL error: psycopg's as its cause."""

    def make() -> OperationalError:
        error = OperationalError(message)
        error.__cause__ = kind(message)
        return error

    return make


CONFLICTS = {
    "deadlock": _from_postgresql(psycopg.errors.DeadlockDetected, "deadlock detected"),
    "serialisation failure": _from_postgresql(
        psycopg.errors.SerializationFailure, "could not serialize access"
    ),
    "lock timeout": _from_postgresql(
        psycopg.errors.LockNotAvailable, "canceling statement due to lock timeout"
    ),
    "SQLite busy": lambda: OperationalError("database is locked"),
}


@pytest.fixture(params=CONFLICTS, ids=str)
def conflict(request) -> Callable[[], OperationalError]:
    return CONFLICTS[request.param]


@contextmanager
def writes_fail(table: str, make_error: Callable[[], OperationalError]):
    """Every INSERT into and UPDATE of `table` raises `make_error()`; yields a list that
    holds how many did."""
    failed = [0]

    def wrapper(execute, sql, params, many, context):
        if sql.startswith((f'INSERT INTO "{table}"', f'UPDATE "{table}"')):
            failed[0] += 1
            raise make_error()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield failed


@pytest.fixture
def draft(office_a, indicator, staff_a):
    return ActivityFactory(
        lead_office=office_a,
        indicator=indicator,
        occurred_on=dt.date(2026, 6, 2),
        status=Status.DRAFT,
        created_by=staff_a,
    )


def _says_nothing_was_saved(response, text: str = NOTHING_SAVED) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert text in page
    assert CONNECTION_LOST not in page
    assert "could not be reached" not in page


def test_a_page_whose_write_loses_a_lock_conflict_says_nothing_was_saved(
    client_staff_a, draft, conflict
):
    with writes_fail("activities_activity", conflict) as failed:
        response = client_staff_a.post(reverse("activities:submit"), {"ids": draft.pk})

    assert failed[0] >= 1
    _says_nothing_was_saved(response)
    assert "The database was busy" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_the_page_of_a_lock_conflict_is_translated(client_staff_a, draft):
    client_staff_a.cookies["django_language"] = "zh-hant"
    with writes_fail("activities_activity", CONFLICTS["deadlock"]):
        response = client_staff_a.post(reverse("activities:submit"), {"ids": draft.pk})

    assert response.status_code == 503
    page = response.content.decode()
    assert NOTHING_SAVED not in page
    assert "沒有儲存" in page


def test_the_api_answers_a_lock_conflict_in_json_with_retry_after(client_staff_a, draft, conflict):
    url = reverse("api:activity-detail", args=[draft.pk])
    with writes_fail("activities_activity", conflict):
        response = client_staff_a.patch(
            url,
            {"title": "A better title", "version": draft.version},
            content_type="application/json",
        )

    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert response.json() == {"detail": NOTHING_SAVED}
    draft.refresh_from_db()
    assert draft.title != "A better title"


def test_an_import_that_loses_a_lock_conflict_imports_nothing_and_says_so(client_staff_a, conflict):
    reference_data_load()
    batch = preview_of(upload(client_staff_a, make_xlsx([visit(), visit(title="Second call")])))

    with writes_fail("activities_activity", conflict):
        response = confirm(client_staff_a, batch)

    _says_nothing_was_saved(
        response,
        "Nothing was imported: others were saving at the same moment, so no row of this "
        "file was saved. Your preview is kept; import it again.",
    )
    assert reverse("activities:import-preview", args=[batch.pk]) in response.content.decode()
    assert Activity.objects.count() == 0
    batch.refresh_from_db()
    assert batch.imported_at is None

    # The moment after, the same preview imports.
    assert confirm(client_staff_a, batch).status_code == 302
    assert Activity.objects.count() == 2


def test_a_lost_connection_still_says_so(client_staff_a, draft):
    with writes_fail(
        "activities_activity", lambda: OperationalError("server closed the connection")
    ):
        response = client_staff_a.post(reverse("activities:submit"), {"ids": draft.pk})

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert CONNECTION_LOST in page
    assert "check whether it was saved" in page
    assert "Nothing was saved" not in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL deadlock")
@pytest.mark.django_db(transaction=True)
def test_a_real_deadlock_is_answered_as_a_lock_conflict(office_a, indicator, staff_a):
    """Two transactions lock two activities in opposite orders; PostgreSQL ends one of
    them. Whichever it is, its error is told apart from a lost connection and answered
    "nothing was saved"."""
    first, second = (
        ActivityFactory(lead_office=office_a, indicator=indicator, created_by=staff_a)
        for _ in range(2)
    )
    errors: list[OperationalError] = []
    both_hold_one = threading.Barrier(2, timeout=30)

    def lock(one: Activity, then: Activity) -> None:
        try:
            with transaction.atomic():
                Activity.objects.select_for_update().get(pk=one.pk)
                both_hold_one.wait()
                Activity.objects.select_for_update().get(pk=then.pk)
        except OperationalError as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=lock, args=(first, second)),
        threading.Thread(target=lock, args=(second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(errors) == 1, errors
    assert errors[0].__cause__.sqlstate == "40P01"
    assert is_lock_conflict(errors[0])
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    request = RequestFactory().post(reverse("activities:submit"))
    _says_nothing_was_saved(middleware.process_exception(request, errors[0]))
