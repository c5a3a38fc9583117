"""Personal API tokens: how a person's scripts sign in to the REST API (/api/v1/).

Only the SHA-256 of a token is stored. The raw value is shown once, when it is created,
and cannot be recovered: a lost token is revoked and replaced. A revoked token is kept
(with who revoked it and when) rather than deleted, so the list says what stopped working.
The rules are in accounts/tokens.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["ApiToken"]


class ApiTokenQuerySet(models.QuerySet):
    def not_revoked(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)

    def usable(self) -> ApiTokenQuerySet:
        """Not revoked and not past its expiry date (Hong Kong date)."""
        return self.not_revoked().filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=timezone.localdate())
        )


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("What the token is for, for example “Monthly import script”."),
    )
    prefix = models.CharField(
        _("prefix"),
        max_length=16,
        help_text=_("The start of the token, to recognise it; the rest is not stored."),
    )
    key_hash = models.CharField(_("SHA-256 of the token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_on = models.DateField(
        _("expires on"),
        null=True,
        blank=True,
        help_text=_("The token works until the end of this day (Hong Kong). Empty: never."),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        # Not PROTECT: a person who revoked their own tokens can still be deleted with them.
        # Someone who revoked another person's token cannot (RestrictedError).
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=Q(revoked_at__isnull=True),
                name="api_token_unique_name_while_not_revoked",
                violation_error_message=_("You already have a token with this name."),
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_by__isnull=True)
                | Q(revoked_at__isnull=False, revoked_by__isnull=False),
                name="api_token_revoked_with_who",
                violation_error_message=_("A revoked token records who revoked it."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_on is not None and self.expires_on < timezone.localdate()

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired
