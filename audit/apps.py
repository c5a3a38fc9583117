from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit trail of security-relevant events. Each app records its own events where
    they happen (`audit.services.record`); the trail listens to nobody."""

    name = "audit"
    verbose_name = _("Audit trail")
