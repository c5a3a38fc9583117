"""API fixtures: personal tokens as request headers, for the test client.

`client.get(url, **bearer(user))` signs the request in with a new token of `user`; the
client itself stays anonymous (no session), as a script's would.
"""

from __future__ import annotations

import itertools

from accounts.tokens import token_create

_names = itertools.count(1)


def bearer(user, *, name: str | None = None) -> dict:
    """Headers with a new personal token of `user` (a fresh name each time)."""
    _token, raw = token_create(user=user, name=name or f"test token {next(_names)}")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
