"""django-axes' sign-in records in the Django admin, with every column in the reader's
language: axes names its columns in English only (its `status` column has no label at
all), so its texts are in this project's catalogue below, and its attempts' admin is
registered again with a label for that column."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# django-axes' own texts, translated in locale/ (makemessages does not read site-packages).
AXES_TEXTS = (
    gettext_noop("Attempt Time"),
    gettext_noop("IP Address"),
    gettext_noop("User Agent"),
    gettext_noop("Path"),
    gettext_noop("Failed Logins"),
    gettext_noop("Logout Time"),
    gettext_noop("Access lock out"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Locked Out"),
)


class SignInAttemptAdmin(AccessAttemptAdmin):
    @admin.display(description=_("Status"))
    def status(self, obj: AccessAttempt) -> str:
        return super().status(obj)


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, SignInAttemptAdmin)
