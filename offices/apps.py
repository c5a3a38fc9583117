from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficesConfig(AppConfig):
    name = "offices"
    verbose_name = _("Offices, indicators and targets")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the audit trail's receivers)
