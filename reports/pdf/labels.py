"""The document's fixed texts in English, Traditional and Simplified Chinese, and the way
dates and numbers are written in each.

Every heading and label carries both languages whatever the language of the request (the
document is printed, filed and passed on to readers of English and of Chinese). The labels are
in `LABELS`, each in every language; the statuses and their rule are read from the catalogue
in each language, so they say what the pages say.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import translation
from django.utils.functional import Promise

from planning.selectors import PLANNED_RULE

from .. import progress

AUTHOR = "Constitutional and Mainland Affairs Bureau"

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


# Every fixed text of the document: English, Traditional and Simplified Chinese.
class _InLanguage:
    """A catalogue translation in one language, read when printed (the catalogue is loaded by
    then), so the PDF says what the pages say."""

    def __init__(self, text: Promise, language: str) -> None:
        self.text, self.language = text, language

    def __str__(self) -> str:
        with translation.override(self.language):
            return str(self.text)


def _in_each_language(text: Promise) -> dict:
    return {
        "en": text,
        "zh-hant": _InLanguage(text, "zh-hant"),
        "zh-hans": _InLanguage(text, "zh-hans"),
    }


LABELS: dict[str, dict[str, str | Promise]] = {
    "bureau": {"en": AUTHOR, "zh-hant": "政制及內地事務局", "zh-hans": "政制及内地事务局"},
    "subject": {
        "en": "Key performance indicators of the Mainland Offices",
        "zh-hant": "內地辦事處關鍵績效指標",
        "zh-hans": "内地办事处关键绩效指标",
    },
    "annual_title": {
        "en": "Annual report {year}",
        "zh-hant": "{year}年度報告",
        "zh-hans": "{year}年度报告",
    },
    "progress_title": {
        "en": "Progress report {start} to {end}",
        "zh-hant": "進度報告（{start}至{end}）",
        "zh-hans": "进度报告（{start}至{end}）",
    },
    "period": {"en": "Period", "zh-hant": "報告期間", "zh-hans": "报告期间"},
    "date_range": {
        "en": "{start} to {end}",
        "zh-hant": "{start}至{end}",
        "zh-hans": "{start}至{end}",
    },
    "as_of": {"en": "Data as of", "zh-hant": "數據截至", "zh-hans": "数据截至"},
    "generated_at": {"en": "Generated at", "zh-hant": "製備時間", "zh-hans": "制备时间"},
    "offices": {"en": "Offices", "zh-hant": "辦事處", "zh-hans": "办事处"},
    "all_offices": {
        "en": "All offices and units",
        "zh-hant": "所有辦事處及單位",
        "zh-hans": "所有办事处及单位",
    },
    "with_units": {
        "en": "with its units",
        "zh-hant": "包括其轄下單位",
        "zh-hans": "包括其辖下单位",
    },
    "activities_counted": {
        "en": "Activities counted",
        "zh-hant": "計算在內的活動",
        "zh-hans": "计算在内的活动",
    },
    "what_counts": {
        "en": "What counts: submitted or verified activities that were not removed, once for "
        "their lead office, on the date they took place. Units roll up into their office.",
        "zh-hant": "計算方法：已提交或已核實且未被移除的活動，按活動日期計入其主責辦事處一次。"
        "單位的數字計入其所屬辦事處。",
        "zh-hans": "计算方法：已提交或已核实且未被移除的活动，按活动日期计入其主责办事处一次。"
        "单位的数字计入其所属办事处。",
    },
    "no_cjk_font": {
        "en": "Chinese text is left out of this copy: no Chinese font is installed on the server.",
        "zh-hant": "",
        "zh-hans": "",
    },
    "summary": {"en": "Summary", "zh-hant": "摘要", "zh-hans": "摘要"},
    "indicator": {"en": "Indicator", "zh-hant": "指標", "zh-hans": "指标"},
    "target": {"en": "Annual target", "zh-hant": "全年目標", "zh-hans": "全年目标"},
    "achieved": {"en": "Achieved", "zh-hant": "已達成", "zh-hans": "已达成"},
    "percent": {"en": "Per cent of target", "zh-hant": "佔目標百分比", "zh-hans": "占目标百分比"},
    "expected": {
        "en": "Expected at a steady pace",
        "zh-hant": "按平均進度應達數字",
        "zh-hans": "按平均进度应达数字",
    },
    "projected": {"en": "Projected year-end", "zh-hant": "預計全年數字", "zh-hans": "预计全年数字"},
    "status": {"en": "Status", "zh-hant": "狀態", "zh-hans": "状态"},
    # The statuses and their rule are progress's own, in every language: from the catalogue.
    **{status: _in_each_language(label) for status, label in progress.STATUS_LABELS.items()},
    "status_rule": _in_each_language(progress.STATUS_RULE),
    "arithmetic_rule": _in_each_language(progress.ARITHMETIC_RULE),
    "still_needed": {"en": "Still needed", "zh-hant": "尚欠數字", "zh-hans": "尚欠数字"},
    "per_month": {"en": "Needed per month", "zh-hant": "每月所需", "zh-hans": "每月所需"},
    "too_early": {"en": "Too early to judge", "zh-hant": "現時評估尚早", "zh-hans": "现时评估尚早"},
    "no_target": {"en": "No target set", "zh-hant": "未設目標", "zh-hans": "未设目标"},
    "summary_chart": {
        "en": "Achieved, steady pace and target",
        "zh-hant": "已達成、平均進度及目標",
        "zh-hans": "已达成、平均进度及目标",
    },
    "own_scale": {
        "en": "Each indicator is drawn to its own scale.",
        "zh-hant": "每項指標按其本身的比例繪畫。",
        "zh-hans": "每项指标按其本身的比例绘画。",
    },
    "by_office": {"en": "By office", "zh-hant": "按辦事處劃分", "zh-hans": "按办事处划分"},
    "office": {"en": "Office or unit", "zh-hant": "辦事處或單位", "zh-hans": "办事处或单位"},
    "total": {"en": "Total", "zh-hant": "總數", "zh-hans": "总数"},
    "units_included": {
        "en": "An office's figures include those of its units, which are listed under it.",
        "zh-hant": "辦事處的數字包括其轄下單位的數字，單位列於辦事處之下。",
        "zh-hans": "办事处的数字包括其辖下单位的数字，单位列于办事处之下。",
    },
    "office_chart": {
        "en": "Activities per office",
        "zh-hant": "各辦事處的活動數目",
        "zh-hans": "各办事处的活动数目",
    },
    "office_progress": {
        "en": "Progress by office",
        "zh-hant": "各辦事處的進度",
        "zh-hans": "各办事处的进度",
    },
    "office_progress_rule": {
        "en": "Against each office's own share of the target, by the rule of the summary. An "
        "office without a share is measured against the bureau target only.",
        "zh-hant": "按各辦事處本身所佔的目標計算，規則與摘要相同。未設本身目標的辦事處只按局方整體目標衡量。",
        "zh-hans": "按各办事处本身所占的目标计算，规则与摘要相同。未设本身目标的办事处只按局方整体目标衡量。",
    },
    "office_target": {"en": "Office target", "zh-hant": "辦事處目標", "zh-hans": "办事处目标"},
    "no_share": {
        "en": "No target of its own",
        "zh-hant": "未設本身目標",
        "zh-hans": "未设本身目标",
    },
    "by_quarter": {"en": "By quarter", "zh-hant": "按季度劃分", "zh-hans": "按季度划分"},
    "quarter": {"en": "Quarter", "zh-hant": "季度", "zh-hans": "季度"},
    "quarter_label": {
        "en": "Q{quarter} {year}",
        "zh-hant": "{year}年第{quarter}季",
        "zh-hans": "{year}年第{quarter}季",
    },
    "dates": {"en": "Dates", "zh-hant": "日期", "zh-hans": "日期"},
    "by_month": {"en": "By month", "zh-hant": "按月份劃分", "zh-hans": "按月份划分"},
    "month": {"en": "Month", "zh-hant": "月份", "zh-hans": "月份"},
    "not_reached": {
        "en": "– : the period starts after the data's as-of date.",
        "zh-hant": "–：該期間在數據截至日期之後開始。",
        "zh-hans": "–：该期间在数据截至日期之后开始。",
    },
    "month_chart": {
        "en": "Activities per month",
        "zh-hant": "每月活動數目",
        "zh-hans": "每月活动数目",
    },
    "by_region": {"en": "By region", "zh-hant": "按地區劃分", "zh-hans": "按地区划分"},
    "region": {"en": "Region", "zh-hant": "地區", "zh-hans": "地区"},
    "no_region": {"en": "No region recorded", "zh-hant": "未記錄地區", "zh-hans": "未记录地区"},
    "notes_and_plans": {
        "en": "Notes and plans",
        "zh-hant": "進度說明及計劃",
        "zh-hans": "进度说明及计划",
    },
    "progress_notes": {
        "en": "The offices' progress notes",
        "zh-hant": "各辦事處的進度說明",
        "zh-hans": "各办事处的进度说明",
    },
    "reply": {"en": "The bureau's reply", "zh-hant": "局方回覆", "zh-hans": "局方回复"},
    "no_notes": {
        "en": "No notes were written for these months.",
        "zh-hant": "這些月份沒有進度說明。",
        "zh-hans": "这些月份没有进度说明。",
    },
    "plans_ahead": {
        "en": "Plans ahead after the last day counted",
        "zh-hant": "計算截止日之後的計劃",
        "zh-hans": "计算截止日之后的计划",
    },
    "confirmed_ahead": {"en": "Confirmed", "zh-hant": "已確認", "zh-hans": "已确认"},
    "planned_ahead": {
        "en": "Planned, not yet confirmed",
        "zh-hant": "已計劃但未確認",
        "zh-hans": "已计划但未确认",
    },
    "planned_rule": _in_each_language(PLANNED_RULE),
    "no_activities": {
        "en": "No activities were counted.",
        "zh-hant": "沒有計算在內的活動。",
        "zh-hans": "没有计算在内的活动。",
    },
}


def in_english(text: str | Promise) -> str:
    """A lazy translation in English, whatever the language of the request."""
    with translation.override("en"):
        return str(text)


def english_date(day: dt.date) -> str:
    """Spelt out, not from the locale: the English half of the document is always English."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def number(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def percent(value: Decimal | None) -> str:
    return "" if value is None else f"{value}%"
