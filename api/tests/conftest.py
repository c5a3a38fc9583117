"""API fixtures: personal tokens as request headers, for the test client.

`client.get(url, **bearer(user))` signs the request in with a new token of `user`; the
client itself stays anonymous (no session), as a script's would.
"""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.tokens import token_create

_names = itertools.count(1)


def bearer(user, *, name: str | None = None) -> dict:
    """Headers with a new personal token of `user` (a fresh name each time)."""
    _token, raw = token_create(user=user, name=name or f"test token {next(_names)}")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def frozen():
    """Today is 15 June 2026 in Hong Kong (as in activities/tests/conftest.py): June is open
    until 10 July; May closed at the end of 10 June, and every earlier month before it."""
    with time_machine.travel(
        dt.datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Hong_Kong")), tick=False
    ) as traveller:
        yield traveller
