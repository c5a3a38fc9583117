"""Telling a write that lost a race from a database that is gone, and running such a write
again.

Two transactions that want the same rows can still meet: PostgreSQL then ends one of them
(a deadlock, a serialisation failure, a lock that could not be had in time) and SQLite
answers "database is locked". Nothing of that transaction was kept, and the same write
a moment later usually succeeds. A lost connection is another matter: the person must
check what was saved. Both arrive as Django's `OperationalError`; `is_lock_conflict` tells
them apart, `retry_on_conflict` runs a write again, and pages and the API say "nothing
was saved, try again" for the first and "the connection was lost" for the second.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction

logger = logging.getLogger(__name__)

# deadlock_detected, serialization_failure, lock_not_available (lock_timeout)
LOCK_CONFLICT_SQLSTATES = frozenset({"40P01", "40001", "55P03"})
SQLITE_BUSY_MESSAGES = ("database is locked", "database table is locked")
ATTEMPTS = 3

P = ParamSpec("P")
R = TypeVar("R")


def is_lock_conflict(error: BaseException) -> bool:
    """True for a transaction the database ended because another held what it needed."""
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__ or error
    sqlstate = getattr(cause, "sqlstate", None)  # psycopg 3
    if sqlstate is not None:
        return sqlstate in LOCK_CONFLICT_SQLSTATES
    message = str(cause).lower()
    return any(busy in message for busy in SQLITE_BUSY_MESSAGES)


def retry_on_conflict(
    func: Callable[P, R] | None = None, *, attempts: int = ATTEMPTS, using: str = DEFAULT_DB_ALIAS
):
    """Run `func` in a transaction of its own; if the database ends it for a lock
    conflict, run it again (up to `attempts` times in all), after a short random pause.

    Only the outermost transaction can be run again: inside another one (a caller's
    `atomic`, a test's) `func` runs once, in a savepoint, and a conflict goes up to the
    caller as before. A write that still fails raises the last conflict."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            if connections[using].in_atomic_block:
                with transaction.atomic(using=using):
                    return func(*args, **kwargs)
            for attempt in range(1, attempts + 1):
                try:
                    with transaction.atomic(using=using):
                        return func(*args, **kwargs)
                except OperationalError as error:
                    if attempt == attempts or not is_lock_conflict(error):
                        raise
                    logger.info(
                        "%s lost a lock conflict (attempt %d of %d); running it again",
                        func.__qualname__,
                        attempt,
                        attempts,
                    )
                    time.sleep(random.uniform(0.01, 0.05) * attempt)
            raise AssertionError("unreachable")  # pragma: no cover

        return run

    return decorate if func is None else decorate(func)
