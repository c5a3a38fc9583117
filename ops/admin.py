"""django-axes' sign-in records in the Django admin, with every column in the reader's
language: axes names its columns in English only (its `status` column has no label at
all), so its texts are in this project's catalogue below, and its attempts' admin is
registered again with a label for that column."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

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


# django-otp's devices (two-step sign-in) in the Django admin: its columns are the models'
# untranslated field names, so they are shown through labelled columns in the reader's
# language. Deleting a device there is how a bureau admin helps someone who lost their phone.
class _DeviceColumns:
    list_display = ["person", "device_name", "created", "last_used", "is_confirmed"]

    @admin.display(description=_("Person"), ordering="user__username")
    def person(self, device) -> str:
        return str(device.user)

    @admin.display(description=_("Name"), ordering="name")
    def device_name(self, device) -> str:
        return device.name

    @admin.display(description=_("Created"), ordering="created_at")
    def created(self, device):
        return device.created_at

    @admin.display(description=_("Last used"), ordering="last_used_at")
    def last_used(self, device):
        return device.last_used_at

    @admin.display(description=_("Confirmed"), boolean=True, ordering="confirmed")
    def is_confirmed(self, device) -> bool:
        return device.confirmed


class TwoStepDeviceAdmin(_DeviceColumns, TOTPDeviceAdmin):
    pass


class RecoveryCodesAdmin(_DeviceColumns, StaticDeviceAdmin):
    pass


for _model, _admin in ((TOTPDevice, TwoStepDeviceAdmin), (StaticDevice, RecoveryCodesAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
        admin.site.register(_model, _admin)
