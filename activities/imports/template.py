"""The template to download: the sheet to fill in, and in the Excel version a second sheet of
the names and codes the import understands."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils import translation

from common.exports import Column, Export
from offices.models import Indicator, Office, Region

from ..models import AuthorityLevel
from .columns import COLUMNS, EXAMPLE_ROW
from .lookups import AUTHORITY_ALIASES


class ImportTemplate(Export):
    """The sheet to fill in: the bilingual header and one example row."""

    filename = "activities-import-template"
    sheet_title = "Activities 活動"
    columns = tuple(Column(column.header, column.width) for column in COLUMNS)

    def rows(self) -> Iterator[list[Any]]:
        yield [EXAMPLE_ROW[column.key] for column in COLUMNS]


class ImportLists(Export):
    """A second sheet of the Excel template: the names and codes the import understands."""

    filename = "lists"
    sheet_title = "Lists 選項"
    columns = (
        Column("List 清單", 12),
        Column("Code 代碼", 12),
        Column("English 英文", 40),
        Column("繁體中文", 24),
        Column("简体中文", 24),
    )

    def __init__(self, *, user) -> None:
        self.user = user

    def rows(self) -> Iterator[list[Any]]:
        for indicator in Indicator.objects.filter(is_active=True):
            yield [
                "Indicator 指標",
                indicator.code,
                indicator.name_en,
                indicator.name_zh_hant,
                indicator.name_zh_hans,
            ]
        offices = Office.objects.active()
        if not self.user.is_bureau_admin:
            offices = offices.filter(pk__in=self.user.office_scope_ids())
        for office in offices:
            yield [
                "Office 辦事處",
                office.code,
                office.name_en,
                office.name_zh_hant,
                office.name_zh_hans,
            ]
        for region in Region.objects.all():
            yield [
                "Region 地區",
                region.code,
                region.name_en,
                region.name_zh_hant,
                region.name_zh_hans,
            ]
        for value, label in AuthorityLevel.choices:
            chinese = AUTHORITY_ALIASES[value]
            with translation.override("en"):
                english = str(label)
            yield ["Authority level 部門級別", value, english, chinese[0], chinese[1]]
