from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: backing up and restoring the database."""

    name = "ops"
    verbose_name = "Operations"
