"""Request rates per user (whatever the credentials), per token, and per address for
requests without credentials. Rates come from settings.KPI_API_THROTTLE_RATES, read at
each request so that tests and deployments can set them. The address is the client's as
the sign-in lock-out and the audit trail read it (`common.http.client_address`)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import ApiToken
from common.http import client_address


class _Throttle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        return settings.KPI_API_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request) -> str:
        """X-Forwarded-For only from a trusted proxy (DRF's own reading believes it from
        anyone once NUM_PROXIES is set)."""
        return client_address(request) or ""


class UserThrottle(_Throttle):
    """Every request of a signed-in user, by session or by any of their tokens."""

    scope = "user"

    def get_cache_key(self, request, view) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class TokenThrottle(_Throttle):
    """Each token on its own, so that one busy script does not starve the user's others."""

    scope = "token"

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class AddressThrottle(_Throttle):
    """The "anon" rate by address alone, for requests refused before DRF's throttles run
    (no credentials, a wrong token): see api.permissions."""

    scope = "anon"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AnonThrottle(AddressThrottle):
    """Requests without credentials that reach the throttles (a view open to them)."""

    def get_cache_key(self, request, view) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)
