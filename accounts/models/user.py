from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICE_STAFF = "office_staff", _("Office staff")
    OFFICE_SUPERVISOR = "office_supervisor", _("Office supervisor")
    BUREAU_VIEWER = "bureau_viewer", _("Bureau viewer")
    BUREAU_ADMIN = "bureau_admin", _("Bureau admin")


OFFICE_ROLES = (Role.OFFICE_STAFF, Role.OFFICE_SUPERVISOR)
BUREAU_ROLES = (Role.BUREAU_VIEWER, Role.BUREAU_ADMIN)


class KpiUserManager(UserManager):
    def get_queryset(self):
        # Every page shows the user's office: fetch it with the user, in the same query.
        return super().get_queryset().select_related("office")

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.BUREAU_ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in. Office roles belong to exactly one office or unit;
    bureau roles to none (docs/domain.md, "Who")."""

    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.BUREAU_VIEWER
    )
    office = models.ForeignKey(
        "offices.Office",
        verbose_name=_("office or unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("Required for office staff and supervisors; empty for bureau roles."),
    )
    language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("Used for e-mails and chosen after sign-in."),
    )

    session_epoch = models.PositiveIntegerField(
        _("session epoch"),
        default=0,
        editable=False,
        help_text=_("Raised to sign the person out of every session (on deactivation)."),
    )

    objects = KpiUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role__in=OFFICE_ROLES) & Q(office__isnull=False))
                | (Q(role__in=BUREAU_ROLES) & Q(office__isnull=True)),
                name="user_office_matches_role",
                violation_error_message=_(
                    "Office staff and supervisors need an office; bureau roles have none."
                ),
            ),
        ]

    def _get_session_auth_hash(self, secret=None) -> str:
        """Django's session hash (of the password) with the session epoch in it: raising
        the epoch ends every session of the person, wherever it is, as a password change
        would, without changing the password."""
        return salted_hmac(
            "accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def is_bureau(self) -> bool:
        return self.is_superuser or self.role in BUREAU_ROLES

    @property
    def is_bureau_admin(self) -> bool:
        return self.is_superuser or self.role == Role.BUREAU_ADMIN

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.OFFICE_SUPERVISOR

    def office_scope_ids(self) -> list[int]:
        """The offices whose data an office user works with: their office and, for a
        top-level office, its units. Cached per user object (one query per request)."""
        if self.office_id is None:
            return []
        if not hasattr(self, "_office_scope_ids"):
            offices = self._meta.get_field("office").related_model.objects  # no import upward
            self._office_scope_ids = offices.scope_ids_of(self.office_id)
        return self._office_scope_ids

    def can_see_office(self, office) -> bool:
        return self.is_bureau or office.pk in self.office_scope_ids()
