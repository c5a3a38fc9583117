"""What happens to people's accounts goes on the audit trail, whichever way it happens:
sign-ins through any form (the site's or the admin's), lock-outs by django-axes, accounts
created, roles and offices changed, passwords changed or reset, deactivated and reactivated
(with the deactivation's consequences, `services.user_deactivated`), two-step sign-in
turned off (on the page or by deleting the device in the admin). Sign-ins and sign-outs
also keep the person's list of sessions (`sessions`)."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Kind
from audit.services import record

from . import services, sessions
from .models import User
from .twofactor import CODE_STEP

USERNAME_MAX = 150

# Fields of a user whose change is an event, and what a change of each is.
ROLE_FIELDS = ("role", "office_id", "is_staff", "is_superuser")
TRACKED_FIELDS = (*ROLE_FIELDS, "is_active")


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs) -> None:
    record(Kind.LOGIN, user.get_username(), request=request, actor=user)
    if request is not None and hasattr(request, "session"):
        sessions.session_started(request, user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(Kind.LOGOUT, user.get_username(), request=request, actor=user)
    if request is not None and hasattr(request, "session"):
        sessions.session_forget(request.session.session_key)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username") or "")[:USERNAME_MAX]
    code = sender == CODE_STEP
    record(
        Kind.LOGIN_FAILED,
        f"{username}: wrong two-step code" if code else username,
        request=request,
        actor=None,
        subject_username=username,
        details={"step": "code"} if code else None,
    )


@receiver(post_delete, sender=TOTPDevice)
def _two_factor_removed(sender, instance, **kwargs) -> None:
    if not instance.confirmed:
        return
    user = User._base_manager.filter(pk=instance.user_id).first()
    if user is None:  # the account itself is being deleted
        return
    record(
        Kind.TWO_FACTOR_DISABLED,
        user.get_username(),
        subject=user,
        office=user.office if user.office_id else None,
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs) -> None:
    username = str(username or "")[:USERNAME_MAX]
    record(
        Kind.LOCKED_OUT,
        f"{username} from {ip_address}",
        request=request,
        actor=None,
        subject_username=username,
        details={"ip_address": ip_address},
    )


@receiver(pre_save, sender=User)
def _remember_user_before(sender, instance, update_fields=None, raw=False, **kwargs) -> None:
    """What the account was, for the receiver below. Saves that touch none of the tracked
    fields (the last sign-in, the language) cost no query."""
    instance._audit_before = None
    # A real password change (set_password, not a hash upgrade at sign-in) leaves the raw
    # password on the instance until the save completes.
    instance._audit_password_changed = (
        instance.pk is not None and getattr(instance, "_password", None) is not None
    )
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {f.removesuffix("_id") for f in TRACKED_FIELDS} & {
        f.removesuffix("_id") for f in update_fields
    }:
        return
    instance._audit_before = (
        sender._base_manager.filter(pk=instance.pk).values(*TRACKED_FIELDS).first()
    )


@receiver(post_save, sender=User)
def _user_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if raw:
        return
    if created:
        record(
            Kind.USER_CREATED,
            f"{instance.get_username()}: {instance.role}"
            + (f" ({instance.office.code})" if instance.office_id else ""),
            subject=instance,
            office=instance.office,
            details={"role": instance.role, "office": _office_code(instance.office_id)},
        )
        return
    before = getattr(instance, "_audit_before", None)
    if getattr(instance, "_audit_password_changed", False):
        how = getattr(instance, "_audit_how", "")
        record(
            Kind.PASSWORD_CHANGED,
            f"{instance.get_username()} ({how})" if how else instance.get_username(),
            subject=instance,
            details={"how": how} if how else None,
        )
    if not before:
        return
    changes = {
        field: [before[field], getattr(instance, field)]
        for field in ROLE_FIELDS
        if before[field] != getattr(instance, field)
    }
    if changes:
        if "office_id" in changes:
            changes["office"] = [_office_code(pk) for pk in changes.pop("office_id")]
        record(
            Kind.ROLE_CHANGED,
            f"{instance.get_username()}: "
            + "; ".join(f"{field} {old} → {new}" for field, (old, new) in changes.items()),
            subject=instance,
            office=instance.office,
            details=changes,
        )
    if before["is_active"] and not instance.is_active:
        services.user_deactivated(instance)
    elif not before["is_active"] and instance.is_active:
        record(Kind.USER_REACTIVATED, instance.get_username(), subject=instance)


def _office_code(office_id: int | None) -> str | None:
    if office_id is None:
        return None
    offices = User._meta.get_field("office").related_model.objects  # no import upward
    return offices.filter(pk=office_id).values_list("code", flat=True).first()
