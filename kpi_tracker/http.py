"""The client's address, read one way for sign-in lock-outs, the audit trail and the API's
throttles."""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.settings import api_settings


def client_address(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or with NUM_PROXIES proxies in front (production: the HTTPS proxy) the
    address that many steps back in X-Forwarded-For, which the client cannot forge; DRF's
    `BaseThrottle.get_ident` reads it the same way."""
    remote_addr = request.META.get("REMOTE_ADDR")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    proxies = api_settings.NUM_PROXIES
    if not proxies or not forwarded:
        return remote_addr
    addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
    if not addresses:
        return remote_addr
    return addresses[-min(proxies, len(addresses))]
