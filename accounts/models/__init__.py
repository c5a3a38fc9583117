"""The accounts' models, one module a model group; everything is importable from here, as
Django and the migrations expect."""

from .reminders import ReminderDigest, ReminderPreference
from .tokens import ApiToken, ApiTokenQuerySet
from .user import KpiUserManager, Role, User

__all__ = [
    "ApiToken",
    "ApiTokenQuerySet",
    "KpiUserManager",
    "ReminderDigest",
    "ReminderPreference",
    "Role",
    "User",
]
