"""The audit trail: one row per security-relevant event, written once and never changed.

Who did it is kept twice: as a link to the user (without a database constraint, so that an
event outlives the account) and as the username at the time, which is what the page shows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Sign-in failed")
    LOGOUT = "logout", _("Signed out")
    LOCKED_OUT = "locked_out", _("Locked out after failed sign-ins")
    LOCKOUT_LIFTED = "lockout_lifted", _("Lock-out lifted")
    EXPORT = "export", _("Export or download")
    TARGET_CHANGED = "target_changed", _("Target changed")
    REOPENING_REQUESTED = "reopening_requested", _("Reopening requested")
    PERIOD_REOPENED = "period_reopened", _("Period reopened")
    REOPENING_DECLINED = "reopening_declined", _("Reopening declined")
    USER_CREATED = "user_created", _("User created")
    INVITATION_SENT = "invitation_sent", _("Invitation sent")
    ROLE_CHANGED = "role_changed", _("Role or office changed")
    USER_DEACTIVATED = "user_deactivated", _("User deactivated")
    USER_REACTIVATED = "user_reactivated", _("User reactivated")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_RESET_REQUESTED = "password_reset_requested", _("Password reset asked for")
    SESSIONS_ENDED = "sessions_ended", _("Other sessions ended")
    TWO_FACTOR_ENABLED = "two_factor_enabled", _("Two-step sign-in turned on")
    TWO_FACTOR_DISABLED = "two_factor_disabled", _("Two-step sign-in turned off")
    RECOVERY_CODE_USED = "recovery_code_used", _("Signed in with a recovery code")
    RECOVERY_CODES_REPLACED = "recovery_codes_replaced", _("New recovery codes made")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    REPORT_FILE_ALTERED = "report_file_altered", _("Published file refused: altered or missing")


class AuditEventQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("office").order_by("-at", "-pk")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    kind = models.CharField(_("event"), max_length=30, choices=Kind.choices, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_username = models.CharField(_("by (username)"), max_length=150, blank=True)
    subject_username = models.CharField(
        _("user concerned"),
        max_length=150,
        blank=True,
        help_text=_("The account the event is about, when it is not the actor's own."),
    )
    office = models.ForeignKey(
        "offices.Office",
        verbose_name=_("office"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    summary = models.CharField(_("what"), max_length=500)
    details = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["actor_username", "-at"], name="audit_actor_at"),
            models.Index(fields=["kind", "-at"], name="audit_kind_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}: {self.summary}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Audit events are never changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are never deleted.")
