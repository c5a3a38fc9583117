"""The PDF report: both languages where a CJK font is installed, English alone where none is,
figures equal to counts made from the rows, and the same bytes for the same data."""

import datetime as dt
import io
import logging
import os
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pypdf
import pytest
import time_machine
from django.utils import translation

from activities.models import Status
from offices.tests.factories import (
    AnnualTargetFactory,
    IndicatorFactory,
    OfficeFactory,
    OfficeTargetFactory,
    RegionFactory,
)
from reports.pdf import fonts, write_pdf
from reports.report import ReportScope, report_data
from tests.datasets import activity

HK = ZoneInfo("Asia/Hong_Kong")
AS_OF = dt.date(2026, 6, 30)
COUNTING = ("submitted", "verified")
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.frozen_at(dt.datetime(2026, 6, 30, 18, 0, tzinfo=HK)),
]


def _cjk_required() -> bool:
    """CI installs fonts-noto-cjk and sets KPI_REQUIRE_BROWSER: there a missing font fails."""
    return os.environ.get("KPI_REQUIRE_BROWSER", "").strip().lower() not in {"", "0", "false", "no"}


@pytest.fixture
def cjk_font():
    font = fonts.cjk_font_path()
    if font is None:
        message = "no CJK font installed (apt-get install fonts-noto-cjk)"
        if _cjk_required():
            pytest.fail(f"{message}: KPI_REQUIRE_BROWSER is set, so the font must be there")
        pytest.skip(message)
    return font


@pytest.fixture
def year_of_data(office_a, unit_a, office_b):
    """Two offices (one with a unit), two indicators with Chinese names and bureau targets,
    and activities that count and that do not."""
    visits = IndicatorFactory(
        code="visits",
        name_en="Visits to Mainland authorities",
        name_zh_hant="拜訪內地部門",
        name_zh_hans="拜访内地部门",
        display_order=1,
    )
    media = IndicatorFactory(
        code="media",
        name_en="Media interviews",
        name_zh_hant="傳媒訪問",
        name_zh_hans="传媒访问",
        display_order=2,
    )
    AnnualTargetFactory(year=2026, indicator=visits, target=40)
    AnnualTargetFactory(year=2026, indicator=media, target=16)
    hubei = RegionFactory(code="420000", name_en="Hubei", name_zh_hant="湖北省")
    RegionFactory(code="430000", name_en="Hunan", name_zh_hant="湖南省")  # nothing there
    activities = [
        activity(office_a, visits, dt.date(2026, 1, 20)),
        activity(office_a, visits, dt.date(2026, 3, 5), status=Status.VERIFIED, region=hubei),
        activity(unit_a, visits, dt.date(2026, 5, 6)),
        activity(office_b, media, dt.date(2026, 2, 2)),
        activity(office_b, media, dt.date(2026, 4, 9)),
        activity(office_b, visits, dt.date(2026, 6, 1)),
        # a draft does not count
        activity(office_a, media, dt.date(2026, 6, 2), status=Status.DRAFT),
        # last year's does not count in this year's report
        activity(office_b, visits, dt.date(2025, 11, 5)),
    ]
    return {"visits": visits, "media": media, "activities": activities}


def independent_count(activities, *, indicator, offices=None) -> int:
    """Counted activities, decided object by object from the raw fields."""
    return sum(
        1
        for a in activities
        if a.indicator_id == indicator.pk
        and a.status in COUNTING
        and a.removed_at is None
        and a.occurred_on.year == 2026
        and a.occurred_on <= AS_OF
        and (offices is None or a.lead_office_id in {office.pk for office in offices})
    )


def render(data) -> bytes:
    out = io.BytesIO()
    write_pdf(data, out)
    return out.getvalue()


def text_of(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # pypdf decodes fpdf2's CFF CID fonts with a NUL before each character: it ignores the
    # embedded Encoding CMap stream. The text is otherwise right.
    return text.replace("\x00", "")


def row(name: str, *values: str) -> re.Pattern:
    """A table row: its English name, its Chinese name if printed (a word ending in a CJK
    character, "甲辦事處" or "2026年7月"), then its values in order. The extracted text may run
    cells together."""
    chinese = r"(?:\s+\S*[^\x00-\x7f])?"
    return re.compile(re.escape(name) + chinese + r"\s*" + r"\s*".join(map(re.escape, values)))


def annual_report():
    return report_data(ReportScope.annual(2026, as_of=AS_OF))


def test_summary_and_office_figures_equal_counts_made_from_the_rows(
    year_of_data, office_a, unit_a, office_b
):
    activities = year_of_data["activities"]
    visits, media = year_of_data["visits"], year_of_data["media"]
    text = text_of(render(annual_report()))

    achieved_visits = independent_count(activities, indicator=visits)
    achieved_media = independent_count(activities, indicator=media)
    assert (achieved_visits, achieved_media) == (4, 2)
    # target, achieved, per cent of target (4 of 40, 2 of 16)
    assert row("Visits to Mainland authorities", "40", str(achieved_visits), "10.0%").search(text)
    assert row("Media interviews", "16", str(achieved_media), "12.5%").search(text)

    office_a_visits = independent_count(activities, indicator=visits, offices=[office_a, unit_a])
    office_b_counts = [
        independent_count(activities, indicator=visits, offices=[office_b]),
        independent_count(activities, indicator=media, offices=[office_b]),
    ]
    assert office_a_visits == 3  # the unit's visit included
    assert row("Office A", "3", "0", "3").search(text)
    assert row("Unit A1", "1", "0", "1").search(text)
    assert row("Office B", *map(str, office_b_counts), str(sum(office_b_counts))).search(text)
    assert row("Activities counted", str(achieved_visits + achieved_media)).search(text)


def test_english_and_traditional_chinese_names_are_printed(cjk_font, year_of_data):
    content = render(annual_report())
    text = text_of(content)

    for english, chinese in [
        ("Visits to Mainland authorities", "拜訪內地部門"),
        ("Media interviews", "傳媒訪問"),
        ("Office A", "甲辦事處"),
        ("Unit A1", "甲一聯絡處"),
        ("Office B", "乙辦事處"),
        ("Hubei", "湖北省"),
        ("Summary", "摘要"),
        ("By office", "按辦事處劃分"),
        ("No region recorded", "未記錄地區"),
    ]:
        assert english in text
        assert chinese in text
    assert "拜访内地部门" not in text  # Simplified only for a Simplified Chinese request
    assert "狀態比較預計全年數字與目標" in text  # the status rule in Chinese
    assert _embedded_fonts(content), "the CJK font must be embedded in the file"


def test_chinese_follows_a_simplified_chinese_request(cjk_font, year_of_data):
    with translation.override("zh-hans"):
        text = text_of(render(annual_report()))

    assert "拜访内地部门" in text
    assert "拜訪內地部門" not in text
    assert "Visits to Mainland authorities" in text  # the English stays
    assert "摘要" in text


def _embedded_fonts(content: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    names = []
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        for descendant in font.get("/DescendantFonts", []):
            descriptor = descendant.get_object()["/FontDescriptor"]
            if "/FontFile2" in descriptor or "/FontFile3" in descriptor:
                names.append(str(font["/BaseFont"]))
    return names


def test_regions_without_activities_are_left_out(year_of_data):
    text = text_of(render(annual_report()))

    assert row("Hubei", "1", "0", "1").search(text)
    assert "Hunan" not in text
    assert "No region recorded" in text


def test_the_same_data_gives_the_same_bytes(year_of_data):
    data = annual_report()
    first = render(data)

    # an hour later: the file's dates are the data's, not the clock's
    with time_machine.travel(dt.datetime(2026, 6, 30, 19, 0, tzinfo=HK), tick=False):
        assert render(data) == first
    # and the figures read again at the same moment give the same file
    assert render(annual_report()) == first


def test_metadata_title_author_creation_date_and_language(year_of_data):
    data = annual_report()
    reader = pypdf.PdfReader(io.BytesIO(render(data)))

    assert reader.metadata.title.startswith("Annual report 2026")
    assert reader.metadata.author == "Constitutional and Mainland Affairs Bureau"
    assert reader.metadata.creation_date == data.made_at.replace(microsecond=0)
    assert reader.trailer["/Root"]["/Lang"] == "en-HK"


def test_every_page_is_numbered_n_of_total(year_of_data):
    content = render(annual_report())
    reader = pypdf.PdfReader(io.BytesIO(content))
    total = len(reader.pages)

    assert total > 1
    for number, page in enumerate(reader.pages, start=1):
        assert f"{number} / {total}" in page.extract_text().replace("\x00", "")


def test_writing_reads_nothing_more_from_the_database(year_of_data, django_assert_num_queries):
    data = annual_report()
    # the figures are all in `data`; laying them out needs no query
    with django_assert_num_queries(0):
        render(data)


def test_an_office_report_names_the_office(year_of_data, office_a, unit_a):
    data = report_data(ReportScope.annual(2026, as_of=AS_OF, office=office_a))
    text = text_of(render(data))

    assert "Office A (with its units)" in text
    assert "Office B" not in text
    assert "Unit A1" in text


def test_without_a_cjk_font_the_report_is_english_only(year_of_data, monkeypatch, caplog):
    OfficeFactory(code="OFFC", name_en="Office C (烏魯木齊)")  # outside what Helvetica prints
    monkeypatch.setattr(fonts, "cjk_font_path", lambda: None)
    fonts._warn_no_cjk_font.cache_clear()

    with caplog.at_level(logging.WARNING, logger="reports.pdf.fonts"):
        first = render(annual_report())
        render(annual_report())

    text = text_of(first)
    reader = pypdf.PdfReader(io.BytesIO(first))
    assert len(reader.pages) > 1
    assert "Visits to Mainland authorities" in text
    assert "Office A" in text
    assert "Office C (" in text
    assert "Chinese text is left out of this copy" in text
    assert not re.search(r"[\u4e00-\u9fff]", text)
    warnings = [r for r in caplog.records if "No CJK font" in r.getMessage()]
    assert len(warnings) == 1  # once, not once per report


def test_the_font_setting_is_read_when_a_report_is_written(settings, tmp_path):
    font = tmp_path / "cjk.ttc"
    font.write_bytes(b"")

    settings.KPI_PDF_FONTS = [str(tmp_path / "missing.ttf"), (str(font), 4)]
    assert fonts.cjk_font_path() == (str(font), 4)
    settings.KPI_PDF_FONTS = [font]
    assert fonts.cjk_font_path() == (str(font), 0)
    # (path, face for Traditional, face for Simplified Chinese)
    settings.KPI_PDF_FONTS = [(str(font), 3, 2)]
    assert fonts.cjk_font_path() == (str(font), 3)
    with translation.override("zh-hans"):
        assert fonts.cjk_font_path() == (str(font), 2)
    settings.KPI_PDF_FONTS = []
    assert fonts.cjk_font_path() is None


def test_an_empty_report_renders(db):
    data = annual_report()
    text = text_of(render(data))

    assert data.activity_count == 0
    assert "Annual report 2026" in text
    assert "No activities were counted." in text


def test_many_indicators_turn_the_pages_to_landscape(year_of_data):
    for number in range(5):
        IndicatorFactory(code=f"extra-{number}", name_en=f"Extra indicator {number}")
    reader = pypdf.PdfReader(io.BytesIO(render(annual_report())))

    page = reader.pages[0]
    assert page.mediabox.width > page.mediabox.height


def test_a_progress_report_leaves_the_months_not_reached_blank(year_of_data):
    scope = ReportScope(dt.date(2026, 4, 1), dt.date(2026, 9, 30), dt.date(2026, 6, 30))
    text = text_of(render(report_data(scope)))

    assert "Progress report 1 April 2026 to 30 September 2026" in text
    assert row("June 2026", "1", "0", "1").search(text)
    assert row("July 2026", "–", "–", "–").search(text)
    assert "the period starts after the data's as-of date" in text


# --- page breaks: no page left with a heading or a line or two -------------------------------

FOOTER_TOP = 16 * 72 / 25.4  # points above the foot of the page: the footer's lines


def page_fill(content: bytes) -> list[float]:
    """How far down each page its content reaches, as a share of the space between the top
    margin and the footer (the footer's lines left out)."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    fills = []
    for page in reader.pages:
        height = float(page.mediabox.height)
        top = height - 15 * 72 / 25.4
        lowest = [top]

        def visit(text, cm, tm, font_dict, font_size, lowest=lowest, height=height):
            y = cm[5] + tm[5] * cm[3] if cm else tm[5]
            if text.strip() and FOOTER_TOP + 2 < y < height:
                lowest[0] = min(lowest[0], y)

        page.extract_text(visitor_text=visit)
        fills.append((top - lowest[0]) / (top - FOOTER_TOP))
    return fills


@pytest.fixture
def many_offices(year_of_data):
    """Offices enough for the tables by office to run onto a second page, one at a time."""
    visits = year_of_data["visits"]
    offices = []

    def add(n):
        for _ in range(n):
            office = OfficeFactory()
            offices.append(office)
            OfficeTargetFactory(year=2026, indicator=visits, office=office, target=10)
            activity(office, visits, dt.date(2026, 3, 3))

    return add


def test_no_page_is_left_with_a_heading_or_a_line_or_two(many_offices):
    """The tables by office run onto another page at one office more or less: every page is
    filled more than an eighth of the way down (a heading and a line or two fill less)."""
    many_offices(30)
    fills = {}
    for count in range(30, 58, 3):
        fills[count] = [round(fill, 2) for fill in page_fill(render(annual_report()))]
        many_offices(3)
    nearly_empty = {count: pages for count, pages in fills.items() if min(pages) < 0.125}
    assert not nearly_empty, nearly_empty


def test_progress_by_office_carries_each_offices_target_per_cent_still_needed_and_status(
    year_of_data, office_a
):
    OfficeTargetFactory(year=2026, indicator=year_of_data["visits"], office=office_a, target=8)
    data = annual_report()
    [line] = [line for line in data.offices if line.office == office_a]
    visits = line.progress[0]
    # 3 of 8 by 30 June (181 days of 365): 37.5 %, 5 still needed, behind the steady pace
    assert (visits.achieved, visits.percent, visits.still_needed, visits.status) == (
        3,
        Decimal("37.5"),
        5,
        "behind",
    )
    text = text_of(render(data))
    assert "Progress by office" in text and "Office target" in text
    assert row("Office A", "8", "3", "37.5%", "5", "Behind").search(text)
    assert "No target of its own" in text  # office B and unit A1 have no share
