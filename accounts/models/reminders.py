"""Which reminders a person wants, and the digests already sent (docs/operations.md, "Reminders").

A person without a ReminderPreference row gets every reminder that applies to their role:
the row is only written when they change something on the Reminders page.

ReminderDigest is the ledger that keeps "at most one digest a day": the daily job writes the
row before sending, and the unique (user, date) constraint makes a second run the same day,
or a concurrent one, fail to write it and skip that person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["ReminderDigest", "ReminderPreference"]


class ReminderPreference(models.Model):
    """A person's choice of reminders. Every flag is on until they turn it off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="reminder_preference",
    )
    drafts = models.BooleanField(
        _("my drafts not submitted after some days"),
        default=True,
        help_text=_(
            "Drafts you created and have not submitted, once they are a week old "
            "(or the number of days the bureau has set)."
        ),
    )
    returned = models.BooleanField(
        _("my activities returned to me"),
        default=True,
        help_text=_("Activities a supervisor returned to you, until you submit them again."),
    )
    verification_queue = models.BooleanField(
        _("activities waiting for my verification"),
        default=True,
        help_text=_("Submitted activities of your office and its units that you can verify."),
    )
    month_closing = models.BooleanField(
        _("a month about to close with no activity logged"),
        default=True,
        help_text=_(
            "In the last days before last month closes for entry, if your office (with its "
            "units) has logged no activity for that month."
        ),
    )
    plans_to_log = models.BooleanField(
        _("confirmed plans that have happened, to log"),
        default=True,
        help_text=_(
            "Confirmed plans whose last day has passed and whose activity is not yet logged: "
            "the plans you created and, for supervisors, those your office leads."
        ),
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("reminder preference")
        verbose_name_plural = _("reminder preferences")

    def __str__(self) -> str:
        return str(self.user)


class ReminderDigest(models.Model):
    """One reminder e-mail sent to one person on one Hong Kong date, and what it listed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="reminder_digests",
    )
    date = models.DateField(_("date (Hong Kong)"))
    sent_at = models.DateTimeField(
        _("sent"),
        default=timezone.now,
        help_text=_("Recorded just before the e-mail is handed to the mail server."),
    )
    summary = models.JSONField(_("contents"), default=dict)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("reminder digest")
        verbose_name_plural = _("reminder digests")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "date"],
                name="reminder_digest_one_a_day",
                violation_error_message=_("This person already had a reminder e-mail that day."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.date:%Y-%m-%d}"
