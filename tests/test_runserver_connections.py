"""`make run` on PostgreSQL does not leak database connections.

The development server answers each request in a thread of its own, which ends with the
request. A connection kept open for reuse (CONN_MAX_AGE) belongs to its thread, so no
later request reuses it: it stays open, idle, until the garbage collector happens to free
its thread's objects, and a busy page (the dashboards' scripts, a few tabs) opens them
faster than that until PostgreSQL refuses new clients. The local settings therefore close
the connection at the end of every request. The test holds the garbage collector off, so
that only what the request itself closes is counted as closed.
"""

from __future__ import annotations

import gc
import json
import socketserver
import subprocess
import sys
import threading
import urllib.request

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.db import connection, connections

REQUESTS = 20


def _backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def _local_database_options() -> dict:
    """The connection options of the local settings, as `make run` reads them (in a fresh
    interpreter: the settings modules share base.py's DATABASES, which test.py changes)."""
    code = (
        "import json; from kpi_tracker.settings import local; d = local.DATABASES['default']; "
        "names = ('CONN_MAX_AGE', 'CONN_HEALTH_CHECKS', 'OPTIONS'); "
        "print(json.dumps({k: v for k, v in d.items() if k in names}))"
    )
    result = subprocess.run(  # noqa: S603 (our own settings)
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.splitlines()[-1])


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.mark.skipif(connection.vendor != "postgresql", reason="counts PostgreSQL backends")
@pytest.mark.django_db(transaction=True)
def test_the_development_server_closes_each_requests_connection(monkeypatch):
    for option, value in _local_database_options().items():
        monkeypatch.setitem(connections.settings["default"], option, value)
    # The server class runserver builds (django.core.servers.basehttp.run), waiting for its
    # request threads when it is closed, so that every one has finished before counting.
    server_class = type("WSGIServer", (socketserver.ThreadingMixIn, WSGIServer), {})
    server = server_class(("127.0.0.1", 0), QuietHandler)
    server.daemon_threads = False
    server.block_on_close = True
    server.set_app(WSGIHandler())
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    before = _backends()

    gc.disable()
    serving.start()
    try:
        for _ in range(REQUESTS):
            url = f"http://127.0.0.1:{server.server_port}/healthz"
            with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback)
                assert response.status == 200
    finally:
        server.shutdown()
        server.server_close()  # joins every request's thread
        serving.join(timeout=30)
        after = _backends()
        gc.enable()

    assert after == before
