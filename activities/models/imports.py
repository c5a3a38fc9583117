"""An uploaded spreadsheet between its preview and its import (docs/guide-office-staff.md,
"Importing a spreadsheet").

The uploaded file itself is kept, not the rows parsed from it: confirming reads the same
bytes again and checks every row again, so nothing that is imported comes from the browser.
`report` is what the preview page shows (each row new, duplicate or invalid, with reasons).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from offices.models import Office

__all__ = ["ImportBatch"]

MAX_IMPORT_FILE_BYTES = 5 * 1024 * 1024


class ImportBatchQuerySet(models.QuerySet):
    def for_user(self, user) -> ImportBatchQuerySet:
        """A batch is seen and confirmed only by the person who uploaded it."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(created_by=user)


class ImportBatch(models.Model):
    class Format(models.TextChoices):
        XLSX = "xlsx", "XLSX"
        CSV = "csv", "CSV"

    office = models.ForeignKey(
        Office,
        verbose_name=_("office or unit"),
        on_delete=models.PROTECT,
        related_name="import_batches",
        help_text=_("The lead office of the rows that give no office code."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    original_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, db_index=True)
    content = models.BinaryField(_("file content"))
    report = models.JSONField(_("preview"), default=dict, blank=True)
    # The rows as read from the file (`imports.tables.table_to_json`): the confirmation
    # checks them again without reading the file a second time. Empty: read the file.
    table = models.JSONField(_("rows read"), default=dict, blank=True)
    # The activities the preview passed, with what they were checked against
    # (`imports.kept`): the confirmation checks again only what can have changed since.
    # Null: a batch kept by a version that did not keep them (its rows are checked again).
    checked = models.JSONField(_("rows checked"), default=dict, blank=True, null=True)
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True)
    imported_count = models.PositiveIntegerField(_("activities imported"), default=0)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("spreadsheet import")
        verbose_name_plural = _("spreadsheet imports")
        constraints = [
            models.CheckConstraint(
                condition=Q(size__lte=MAX_IMPORT_FILE_BYTES), name="import_batch_size_limit"
            ),
            models.CheckConstraint(
                condition=Q(file_format__in=["xlsx", "csv"]), name="import_batch_format_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.created_at:%Y-%m-%d %H:%M})"
