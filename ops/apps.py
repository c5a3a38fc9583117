from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: backing up and restoring the database, the health check, and the pages
    of the audit trail and the sign-in lock-outs."""

    name = "ops"
    verbose_name = "Operations"
