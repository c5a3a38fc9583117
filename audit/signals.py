"""Receivers that put events on the audit trail, whichever way they happen: sign-ins through
any form (the site's or the admin's), lock-outs by django-axes, target and period changes
through the pages or the admin (their history records say who), and account changes."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models import F
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from simple_history.signals import post_create_historical_record

from activities.models import PeriodReopening
from offices.models import AnnualTarget, OfficeTarget

from . import services
from .models import Kind

User = get_user_model()
USERNAME_MAX = 150

# Fields of a user whose change is an event, and what a change of each is.
ROLE_FIELDS = ("role", "office_id", "is_staff", "is_superuser")
TRACKED_FIELDS = (*ROLE_FIELDS, "is_active")


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs) -> None:
    services.record(Kind.LOGIN, user.get_username(), request=request, actor=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        services.record(Kind.LOGOUT, user.get_username(), request=request, actor=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username") or "")[:USERNAME_MAX]
    services.record(
        Kind.LOGIN_FAILED, username, request=request, actor=None, subject_username=username
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs) -> None:
    username = str(username or "")[:USERNAME_MAX]
    services.record(
        Kind.LOCKED_OUT,
        f"{username} from {ip_address}",
        request=request,
        actor=None,
        subject_username=username,
        details={"ip_address": ip_address},
    )


# --- targets and periods, from their history (which knows who made the change) ----------


def _previous(history_instance):
    """The record before this one. By id, not by date as simple-history's `prev_record`
    does: two changes within the same instant must still come in order."""
    return (
        type(history_instance)
        .objects.filter(id=history_instance.id, history_id__lt=history_instance.history_id)
        .order_by("-history_id")
        .first()
    )


def _target_event(instance, history_instance, history_user, **kwargs) -> None:
    previous = None
    if history_instance.history_type != "+":
        before = _previous(history_instance)
        previous = before.target if before is not None else None
    new = None if history_instance.history_type == "-" else instance.target
    office = getattr(instance, "office", None)
    where = office.code if office is not None else "bureau-wide"
    services.record(
        Kind.TARGET_CHANGED,
        f"{instance.year} {instance.indicator.code} ({where}): {previous} → {new}",
        actor=history_user,
        office=office,
        details={
            "year": instance.year,
            "indicator": instance.indicator.code,
            "office": office.code if office is not None else None,
            "from": previous,
            "to": new,
            "reason": history_instance.history_change_reason or "",
        },
    )


post_create_historical_record.connect(
    _target_event, sender=AnnualTarget.history.model, dispatch_uid="audit_annual_target"
)
post_create_historical_record.connect(
    _target_event, sender=OfficeTarget.history.model, dispatch_uid="audit_office_target"
)


@receiver(post_create_historical_record, sender=PeriodReopening.history.model)
def _reopening_event(instance, history_instance, history_user, **kwargs) -> None:
    State = PeriodReopening.State
    period = f"{instance.year}-{instance.month:02d}"
    details = {"office": instance.office.code, "period": period, "reopening": instance.pk}
    if history_instance.history_type == "+":
        kind = Kind.REOPENING_REQUESTED
        summary = f"{instance.office.code} {period}: {instance.reason}"
    else:
        before = _previous(history_instance)
        if before is None or before.state == instance.state or instance.state == State.REQUESTED:
            return
        if instance.state == State.GRANTED:
            kind = Kind.PERIOD_REOPENED
            summary = f"{instance.office.code} {period} until {instance.open_until:%Y-%m-%d}"
            details["open_until"] = instance.open_until.isoformat()
        else:
            kind = Kind.REOPENING_DECLINED
            summary = f"{instance.office.code} {period}"
        details["note"] = instance.decision_note
    services.record(kind, summary, actor=history_user, office=instance.office, details=details)


# --- accounts --------------------------------------------------------------------------


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
        services.record(
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
        services.record(Kind.PASSWORD_CHANGED, instance.get_username(), subject=instance)
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
        services.record(
            Kind.ROLE_CHANGED,
            f"{instance.get_username()}: "
            + "; ".join(f"{field} {old} → {new}" for field, (old, new) in changes.items()),
            subject=instance,
            office=instance.office,
            details=changes,
        )
    if before["is_active"] and not instance.is_active:
        # Deactivated: signed out of every session and every token, so that reactivating
        # the account later does not bring them back.
        from accounts.tokens import tokens_revoke_all

        sender._base_manager.filter(pk=instance.pk).update(session_epoch=F("session_epoch") + 1)
        instance.refresh_from_db(fields=["session_epoch"])
        revoked = tokens_revoke_all(user=instance, by=services.current_user() or instance)
        services.record(
            Kind.USER_DEACTIVATED,
            f"{instance.get_username()}: signed out everywhere, {revoked} token(s) revoked",
            subject=instance,
            office=instance.office,
            details={"tokens_revoked": revoked},
        )
    elif not before["is_active"] and instance.is_active:
        services.record(Kind.USER_REACTIVATED, instance.get_username(), subject=instance)


def _office_code(office_id: int | None) -> str | None:
    if office_id is None:
        return None
    from offices.models import Office

    return Office.objects.filter(pk=office_id).values_list("code", flat=True).first()
