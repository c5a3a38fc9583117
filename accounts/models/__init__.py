"""The accounts' models, one module a model group; everything is importable from here, as
Django and the migrations expect."""

from .reminders import ReminderDigest, ReminderPreference
from .sessions import UserSession, UserSessionQuerySet
from .tokens import ApiToken, ApiTokenQuerySet
from .user import BUREAU_ROLES, OFFICE_ROLES, KpiUserManager, Role, User

__all__ = [
    "BUREAU_ROLES",
    "OFFICE_ROLES",
    "ApiToken",
    "ApiTokenQuerySet",
    "KpiUserManager",
    "ReminderDigest",
    "ReminderPreference",
    "Role",
    "User",
    "UserSession",
    "UserSessionQuerySet",
]
