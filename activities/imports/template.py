"""The template to download: the sheet to fill in, and in the Excel version a second sheet of
the names and codes the import understands, and a hidden third one holding the codes the
drop-down lists of the first sheet offer (docs/guide-office-staff.md, "Importing a
spreadsheet"). A list written inside a validation is limited to 255 characters, so the
lists live on that sheet and the validations refer to its ranges."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from itertools import zip_longest
from typing import Any

from django.utils import translation
from openpyxl.utils import get_column_letter, quote_sheetname

from common.exports import Column, Export
from offices.models import Indicator, Office, Region

from ..models import AuthorityLevel
from .columns import COLUMNS, EXAMPLE_ROW
from .lookups import AUTHORITY_ALIASES
from .tables import MAX_ROWS

# The columns that offer a drop-down list, in the order of the hidden sheet's columns.
CHOICE_KEYS = ("indicator", "lead_office", "region", "authority_level")


def _offices_for(user):
    offices = Office.objects.active()
    if not user.is_bureau_admin:
        offices = offices.filter(pk__in=user.office_scope_ids())
    return offices


class ImportChoices(Export):
    """The hidden sheet of the Excel template: one column of codes per drop-down list."""

    filename = "choices"
    sheet_title = "Choices"
    hidden = True
    columns = (
        Column("Indicator 指標", 16),
        Column("Office 辦事處", 12),
        Column("Region 地區", 10),
        Column("Authority level 部門級別", 12),
    )

    def __init__(self, *, user) -> None:
        self.user = user

    @cached_property
    def codes(self) -> dict[str, list[str]]:
        return {
            "indicator": list(
                Indicator.objects.filter(is_active=True).values_list("code", flat=True)
            ),
            "lead_office": list(_offices_for(self.user).values_list("code", flat=True)),
            "region": list(Region.objects.values_list("code", flat=True)),
            "authority_level": list(AuthorityLevel.values),
        }

    def reference(self, key: str) -> str | None:
        """The range holding a list's codes, as a validation refers to it; None when the
        list is empty."""
        count = len(self.codes[key])
        if not count:
            return None
        column = get_column_letter(CHOICE_KEYS.index(key) + 1)
        return f"{quote_sheetname(self.sheet_title)}!${column}$2:${column}${count + 1}"

    def rows(self) -> Iterator[list[Any]]:
        yield from (list(row) for row in zip_longest(*(self.codes[k] for k in CHOICE_KEYS)))


class ImportTemplate(Export):
    """The sheet to fill in: the bilingual header and one example row; in the Excel version
    the indicator, office, region and level columns offer drop-down lists of codes. A name
    typed instead (in English or Chinese) is still read: the list warns, it does not stop."""

    filename = "activities-import-template"
    sheet_title = "Activities 活動"
    columns = tuple(Column(column.header, column.width) for column in COLUMNS)

    def __init__(self, *, choices: ImportChoices | None = None) -> None:
        self.choices = choices

    def rows(self) -> Iterator[list[Any]]:
        yield [EXAMPLE_ROW[column.key] for column in COLUMNS]

    def finish_xlsx(self, sheet) -> None:
        if self.choices is None:
            return
        keys = [column.key for column in COLUMNS]
        for key in CHOICE_KEYS:
            reference = self.choices.reference(key)
            if reference is None:
                continue
            column = keys.index(key)
            sheet.data_validation(
                1,
                column,
                MAX_ROWS,
                column,
                {
                    "validate": "list",
                    "source": f"={reference}",
                    "ignore_blank": True,
                    "show_input": False,
                    "error_type": "warning",
                    "error_title": "Not in the list 不在清單中",
                    "error_message": (
                        "Choose a code from the list, or give a name the Lists sheet shows. "
                        "請從清單中選擇代碼，或填寫「選項」工作表所列的名稱。"
                    ),
                },
            )


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
        for office in _offices_for(self.user):
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
