"""Where a person is signed in: one row per session of the session store, so that the
person can see their sessions and end the others (docs/security.md, "Sessions and
deactivation"). The session itself stays in Django's store; this row says which person it
belongs to, from which browser and address, and when it was last used. The rules are in
accounts/sessions.py."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["UserSession", "UserSessionQuerySet"]


class UserSessionQuerySet(models.QuerySet):
    def of(self, user) -> UserSessionQuerySet:
        return self.filter(user=user)

    def active(self) -> UserSessionQuerySet:
        """Sessions not yet expired: a session ends SESSION_COOKIE_AGE after its last
        request (SESSION_SAVE_EVERY_REQUEST). The last request is known to the minute."""
        since = timezone.now() - dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
        return self.filter(last_seen_at__gte=since)


class UserSession(models.Model):
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="signed_in_sessions",
    )
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    signed_in_at = models.DateTimeField(_("signed in"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last activity"), default=timezone.now)

    objects = UserSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")
        indexes = [models.Index(fields=["user", "-last_seen_at"], name="usersession_user_seen")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.signed_in_at:%Y-%m-%d %H:%M}"
