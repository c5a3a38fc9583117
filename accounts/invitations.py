"""Invitations: a new person's one-time link to set their first password
(docs/guide-bureau-admin.md, "People").

The link is Django's password-reset link (`uid` and token), with a token of its own kind:
it is refused as a password reset's and a password reset's is refused here, it lasts
`KPI_INVITATION_DAYS` rather than `PASSWORD_RESET_TIMEOUT`, and it only works for an active
account that has never had a password. Setting the password, or sending the invitation
again (which gives the account a new unusable password), ends every earlier link.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode
from django.utils.translation import gettext as _

from .models import User

HTML_LANGUAGE = {"en": "en", "zh-hant": "zh-Hant-HK", "zh-hans": "zh-Hans"}


def invitation_days() -> int:
    return int(getattr(settings, "KPI_INVITATION_DAYS", 7))


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "accounts.invitations.InvitationTokenGenerator"

    def check_token(self, user, token) -> bool:
        """Django's check (`PasswordResetTokenGenerator.check_token`), with the invitation's
        validity and only for an account still waiting for its first password."""
        if not (user and token) or not user.is_active or user.has_usable_password():
            return False
        try:
            ts_b36, _hash = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return self._num_seconds(self._now()) - ts <= invitation_days() * 24 * 60 * 60


invitation_token_generator = InvitationTokenGenerator()


def invitation_path(person: User) -> str:
    return reverse(
        "accounts:invitation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": invitation_token_generator.make_token(person),
        },
    )


def compose_invitation(*, person: User, by: User, site_url: str) -> EmailMultiAlternatives:
    """The invitation, text and HTML, in the person's own language."""
    expires = timezone.localtime() + dt.timedelta(days=invitation_days())
    with translation.override(person.language):
        language = HTML_LANGUAGE.get(translation.get_language(), "en")
        context = {
            "person": person,
            "by": by,
            "url": f"{site_url.rstrip('/')}{invitation_path(person)}",
            "sign_in_url": f"{site_url.rstrip('/')}{reverse('accounts:login')}",
            "expires": expires,
            "html_lang": language,
        }
        subject = _("Your account on the Mainland Offices KPI Tracker")
        text = render_to_string("emails/invitation.txt", context)
        html = render_to_string("emails/invitation.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[person.email],
        headers={"Content-Language": language, "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message
