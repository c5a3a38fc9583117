"""Personal API tokens (accounts.tokens) as a DRF authentication class.

`Authorization: Bearer kpi_...` (or `Token kpi_...`). The token is looked up by its hash,
with its user, in one query; `request.auth` is the ApiToken, which the per-token throttle
keys on.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from accounts.tokens import token_authenticate

from .permissions import count_anonymous

KEYWORDS = ("bearer", "token")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode("latin-1").lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Give the token after “Bearer”, with no spaces in it.")
            )
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from exc
        token = token_authenticate(raw)
        if token is None:
            # A wrong token counts against the address's rate: guessing is limited.
            count_anonymous(request, request.parser_context.get("view"))
            raise exceptions.AuthenticationFailed(
                _("The token is not valid: it may have been revoked or have expired.")
            )
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
