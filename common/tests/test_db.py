"""Lock conflicts told apart from lost connections, and writes that lost one run again."""

import threading

import pytest
from django.db import OperationalError, connection, connections, transaction

from common.db import is_lock_conflict, retry_on_conflict


class Sqlstate(Exception):
    def __init__(self, sqlstate):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def operational(cause) -> OperationalError:
    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


@pytest.mark.parametrize("sqlstate", ["40P01", "40001", "55P03"])
def test_deadlocks_serialisation_failures_and_lock_timeouts_are_conflicts(sqlstate):
    assert is_lock_conflict(operational(Sqlstate(sqlstate)))


@pytest.mark.parametrize(
    "error",
    [
        operational(Sqlstate("08006")),  # connection failure
        operational(Sqlstate("57P01")),  # the server shut down
        OperationalError("server closed the connection unexpectedly"),
        ValueError("not a database error"),
    ],
)
def test_a_lost_connection_is_not_a_conflict(error):
    assert not is_lock_conflict(error)


def test_sqlite_busy_is_a_conflict():
    assert is_lock_conflict(OperationalError("database is locked"))


@pytest.mark.django_db(transaction=True)
def test_a_write_that_lost_a_conflict_runs_again_in_a_new_transaction():
    calls = []

    @retry_on_conflict
    def write():
        calls.append(connection.in_atomic_block)
        if len(calls) < 3:
            raise operational(Sqlstate("40P01"))
        return "saved"

    assert write() == "saved"
    assert calls == [True, True, True]

    calls.clear()

    @retry_on_conflict
    def always():
        calls.append(1)
        raise operational(Sqlstate("40P01"))

    with pytest.raises(OperationalError):
        always()
    assert len(calls) == 3  # then the conflict goes up to say nothing was saved


@pytest.mark.django_db(transaction=True)
def test_other_errors_and_nested_calls_are_not_run_again():
    calls = []

    @retry_on_conflict
    def lost():
        calls.append(1)
        raise operational(Sqlstate("08006"))

    with pytest.raises(OperationalError):
        lost()
    assert calls == [1]

    calls.clear()

    @retry_on_conflict
    def conflict():
        calls.append(1)
        raise operational(Sqlstate("40P01"))

    with pytest.raises(OperationalError), transaction.atomic():
        conflict()  # inside a caller's transaction: only the caller can start again
    assert calls == [1]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real deadlock, on PostgreSQL")
def test_a_real_deadlock_is_a_conflict():
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    for key in ("a", "b"):
        Session.objects.create(session_key=key, session_data="", expire_date=timezone.now())
    barrier = threading.Barrier(2)
    errors = []

    def lock(first, second):
        try:
            with transaction.atomic():
                Session.objects.select_for_update().get(session_key=first)
                barrier.wait()
                Session.objects.select_for_update().get(session_key=second)
        except OperationalError as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=lock, args=("a", "b")),
        threading.Thread(target=lock, args=("b", "a")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    [error] = errors
    assert is_lock_conflict(error)
