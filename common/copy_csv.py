"""Rows written by PostgreSQL's COPY, for an export that offers them as one SELECT
(`common.exports.Export.copy_query`): `COPY (<SELECT>) TO STDOUT (FORMAT csv)`, the CSV's
lines as they are (the writer, `common.exports.iter_csv`, sends the byte order mark and the
header, then this), or `(FORMAT binary)`, the rows as Python values for the XLSX
(`copy_rows`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, nullcontext, suppress
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connections

CSV_COPY_CHUNK_BYTES = 64 * 1024  # COPY sends a row at a time: sent to the client in chunks


@dataclass(frozen=True)
class CopyQuery:
    """A SELECT for PostgreSQL's COPY, as Django compiles it (%s placeholders, its params).
    `types`, for `copy_rows`: the PostgreSQL type of each column ("text", "date",
    "timestamp", "int8", ...), which a binary COPY does not carry."""

    sql: str
    params: Sequence[Any]
    using: str = "default"
    types: Sequence[str] = ()


def copy_csv(query: CopyQuery) -> Iterator[bytes]:
    """`COPY (<query>) TO STDOUT (FORMAT csv)` over the request's own connection, streamed in
    chunks of about CSV_COPY_CHUNK_BYTES."""
    with _copy(query, "csv") as (copy, connection):
        buffer = bytearray()
        with connection.wrap_database_errors:
            for data in copy:
                buffer += data
                if len(buffer) >= CSV_COPY_CHUNK_BYTES:
                    yield bytes(buffer)
                    buffer.clear()
        if buffer:
            yield bytes(buffer)


def copy_rows(query: CopyQuery) -> Iterator[tuple]:
    """`COPY (<query>) TO STDOUT (FORMAT binary)`: the rows as tuples of Python values, read
    by psycopg's binary loaders of `query.types` (text, dates and times without parsing
    their text). No other query can run on the connection until the rows are read."""
    with _copy(query, "binary") as (copy, connection):
        copy.set_types(query.types)
        with connection.wrap_database_errors:
            yield from copy.rows()


@contextmanager
def _copy(query: CopyQuery, fmt: str):
    """The COPY of `query` in `fmt`, and the connection it runs on. psycopg binds the params
    into the statement on the client (COPY takes no server-side parameters). The COPY is a
    query like any other: it goes through the connection's execute wrappers and, when
    queries are logged (DEBUG, the tests' query counts), into the log; its errors are
    Django's DatabaseError. A COPY abandoned part-way is cancelled (psycopg), and the
    connection stays usable.

    It runs with PostgreSQL's JIT compiler off (`SET jit = off` before, `RESET jit` after):
    for a query of this cost the compiler spends about 1.5 s before the first row comes,
    more than it saves over the rows (docs/performance.md, "What keeps it fast")."""
    connection = connections[query.using]
    statement = f"COPY ({query.sql}) TO STDOUT (FORMAT {fmt})"
    params = tuple(query.params)
    with ExitStack() as stack:
        cursor = stack.enter_context(connection.cursor())

        def start(sql, params, many, context):
            with connection.wrap_database_errors:
                return stack.enter_context(cursor.cursor.copy(sql, params))

        cursor.execute("SET jit = off")
        stack.callback(_reset_jit, cursor)  # after the COPY has ended, whichever way
        logged = getattr(cursor, "debug_sql", None)
        with logged(statement, params) if logged is not None else nullcontext():
            copy = cursor._execute_with_wrappers(statement, params, False, start)
        yield copy, connection


def _reset_jit(cursor) -> None:
    """The connection outlives the request (CONN_MAX_AGE): other queries keep the server's
    setting. On a connection that failed there is nothing to reset."""
    with suppress(DatabaseError):
        cursor.execute("RESET jit")
