"""The columns of the import template: what each is called (in English and Chinese, and the
other names a header may carry), what to write in it, and the template's example row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class ImportColumn:
    """A column of the template. The header is bilingual and the same in every language of
    the interface, so that a file reads the same whoever fills it in."""

    key: str
    english: str
    chinese: str  # Traditional
    simplified: str
    hint: Any  # lazy translation: what to write in it
    required: bool = False
    width: int = 16
    aliases: tuple[str, ...] = ()

    @property
    def header(self) -> str:
        return f"{self.english} {self.chinese}"


COLUMNS: tuple[ImportColumn, ...] = (
    ImportColumn(
        "date",
        "Date",
        "日期",
        "日期",
        gettext_lazy(
            "Required. An Excel date, or 2026-03-02, 2/3/2026 (day/month/year) or 2026年3月2日."
        ),
        required=True,
        width=12,
        aliases=("Date of activity", "活動日期", "活动日期"),
    ),
    ImportColumn(
        "indicator",
        "Indicator",
        "指標",
        "指标",
        gettext_lazy(
            "Required. The indicator's name in English or Chinese, or its code (see the "
            "Lists sheet of the Excel template)."
        ),
        required=True,
        width=24,
        aliases=("KPI", "Indicator code", "指標代碼"),
    ),
    ImportColumn(
        "title",
        "Title",
        "標題",
        "标题",
        gettext_lazy("Required. What took place, in up to 200 characters."),
        required=True,
        width=40,
        aliases=("Activity", "活動", "活动", "題目", "题目"),
    ),
    ImportColumn(
        "lead_office",
        "Lead office or unit code",
        "主責辦事處或單位代碼",
        "主责办事处或单位代码",
        gettext_lazy(
            "Optional. Leave it empty for the office chosen when uploading, or give the code "
            "of one of its units."
        ),
        width=12,
        aliases=("Lead office", "Office code", "Office", "Unit code", "辦事處", "办事处"),
    ),
    ImportColumn(
        "region",
        "Region",
        "地區",
        "地区",
        gettext_lazy(
            "Optional. Province, municipality or autonomous region, in English or Chinese, or "
            "its six-digit code."
        ),
        width=14,
        aliases=("Province", "省份", "省市"),
    ),
    ImportColumn("city", "City", "城市", "城市", gettext_lazy("Optional."), width=14),
    ImportColumn(
        "counterparts",
        "Counterparts",
        "聯繫對象",
        "联系对象",
        gettext_lazy(
            "Names from the counterpart directory, in English or Chinese, separated by “;”. "
            "Required for the indicators that need a counterpart."
        ),
        width=40,
        aliases=("Counterpart", "對口單位", "对口单位", "對口機構", "对口机构"),
    ),
    ImportColumn(
        "authority_level",
        "Authority level",
        "部門級別",
        "部门级别",
        gettext_lazy(
            "For visits: central, provincial, municipal or district (or 中央, 省級, 市級, 區縣級)."
        ),
        width=12,
        aliases=("Level of the authority", "Level", "級別", "级别"),
    ),
    ImportColumn(
        "event",
        "Event",
        "活動名稱",
        "活动名称",
        gettext_lazy("For speaking occasions: the name of the event."),
        width=24,
        aliases=("Event name",),
    ),
    ImportColumn(
        "hk_participants",
        "Hong Kong participants",
        "香港參與人員",
        "香港参与人员",
        gettext_lazy("Optional. Separate the names with “;”."),
        width=30,
        aliases=("Participants", "參與人員", "参与人员"),
    ),
    ImportColumn(
        "notes",
        "Notes",
        "備註",
        "备注",
        gettext_lazy("Optional."),
        width=30,
        aliases=("Remarks", "備注"),
    ),
)
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
REQUIRED_KEYS = frozenset(column.key for column in COLUMNS if column.required)

# The template's example row. A row with this title is skipped: people forget to delete it.
EXAMPLE_TITLE = "Example: call on the Department of Commerce 示例：拜訪商務廳"
EXAMPLE_ROW = {
    "date": dt.date(2026, 3, 2),
    "indicator": "visits",
    "title": EXAMPLE_TITLE,
    "lead_office": "",
    "region": "廣東省",
    "city": "Guangzhou 廣州",
    "counterparts": "Department of Commerce of Guangdong Province; 廣東省人民政府港澳事務辦公室",
    "authority_level": "provincial",
    "event": "",
    "hk_participants": "Director 主任; Deputy Director 副主任",
    "notes": "Delete this example row before uploading. 上載前請刪除此示例列。",
}

# Activity fields as named in the service's errors -> the column they come from.
FIELD_COLUMNS = {
    "occurred_on": "date",
    "indicator": "indicator",
    "title": "title",
    "lead_office": "lead_office",
    "region": "region",
    "city": "city",
    "counterparts": "counterparts",
    "authority_level": "authority_level",
    "event_name": "event",
    "hk_participants": "hk_participants",
    "notes": "notes",
}
