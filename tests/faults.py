"""A real dropped connection, for the fault tests (PostgreSQL only): the request's own
server process is terminated from a second connection, as when the database restarts."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection, connections


@contextmanager
def backend_terminated_before(starts_with: str):
    """Terminate the connection's backend just before the first statement that starts with
    `starts_with` is sent. Yields a list that holds True once it was terminated."""
    killed: list[bool] = []

    def terminate(execute, sql, params, many, context):
        if sql.startswith(starts_with) and not killed:
            pid = context["connection"].connection.info.backend_pid
            other = connections.create_connection("default")
            try:
                with other.cursor() as cursor:
                    cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
                    killed.append(cursor.fetchone()[0])
            finally:
                other.close()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(terminate):
        yield killed
