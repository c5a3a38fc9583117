"""Signed in, or counted against the per-address limit and refused.

DRF checks permissions before throttles, so a request without credentials (or with a wrong
token, refused while authenticating) would never meet a throttle: guessing would be
unlimited. These count such requests against the "anon" rate first."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.permissions import IsAuthenticated

from .throttling import AddressThrottle


def count_anonymous(request, view) -> None:
    """Count a request without valid credentials; Throttled (429) past the rate."""
    throttle = AddressThrottle()
    if not throttle.allow_request(request, view):
        raise exceptions.Throttled(throttle.wait())


class SignedIn(IsAuthenticated):
    def has_permission(self, request, view) -> bool:
        if super().has_permission(request, view):
            return True
        count_anonymous(request, view)
        return False
