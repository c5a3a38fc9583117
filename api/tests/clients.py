"""The API as a script calls it: a personal token in the headers, no session, JSON bodies.

`bearer(user)` is the headers of a new token of `user`; `TokenClient(user)` sends requests
with them; the `api` fixture (api/tests/conftest.py) gives one per persona: `api("staff_a")`.
"""

from __future__ import annotations

import itertools

from django.test import Client

from accounts.tokens import token_create

_names = itertools.count(1)


def bearer(user, *, name: str | None = None) -> dict:
    """Headers with a new personal token of `user` (a fresh name each time)."""
    _token, raw = token_create(user=user, name=name or f"test token {next(_names)}")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def if_match(version: int) -> dict:
    """The header naming the version a change was made on, as the ETag read (docs/api.md,
    "Versions, ETag and If-Match")."""
    return {"HTTP_IF_MATCH": f'"{version}"'}


class TokenClient:
    """One person's requests: a client without a session, signed in by a new personal token
    of `user` (or by nothing, for None: anonymous). Bodies are sent as JSON."""

    def __init__(self, user=None) -> None:
        self.client = Client()
        self.headers = bearer(user) if user is not None else {}

    def get(self, path: str, params: dict | None = None, **extra):
        return self.client.get(path, params or {}, **self.headers, **extra)

    def send(self, method: str, path: str, data=None, **extra):
        body = {} if data is None else data
        return getattr(self.client, method)(
            path, body, content_type="application/json", **self.headers, **extra
        )

    def post(self, path: str, data=None, **extra):
        return self.send("post", path, data, **extra)

    def put(self, path: str, data=None, **extra):
        return self.send("put", path, data, **extra)

    def patch(self, path: str, data=None, **extra):
        return self.send("patch", path, data, **extra)
