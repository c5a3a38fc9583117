"""The reports carry the offices' progress notes of their months and the plans ahead of
their end: read with the figures (reports.notes_and_plans), in the XLSX and the PDF."""

import datetime as dt
import io

import openpyxl
import pypdf
import pytest
from django.utils import timezone

from planning.models import Confidentiality, PlanStatus
from planning.services import note_reply
from planning.tests.factories import PlanFactory, ProgressNoteFactory
from reports.pdf import write_pdf
from reports.report import ReportScope, report_data
from reports.report_files import write_report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]  # 15 June 2026
AS_OF = dt.date(2026, 6, 15)


def confirmed(**kwargs):
    return PlanFactory(status=PlanStatus.CONFIRMED, confirmed_at=timezone.now(), **kwargs)


@pytest.fixture
def notes_and_plans(office_a, unit_a, office_b, indicator, bureau_admin):
    march = ProgressNoteFactory(
        office=office_a, indicator=indicator, month=3, text="March: the fair was postponed."
    )
    note_reply(user=bureau_admin, note=march, reply="Plan two visits in April.", version=1)
    ProgressNoteFactory(office=unit_a, indicator=indicator, month=6, text="June: unit on track.")
    ProgressNoteFactory(office=office_b, indicator=indicator, month=5, text="May: office B.")
    ProgressNoteFactory(office=office_a, indicator=indicator, year=2025, month=12, text="Old.")
    confirmed(lead_office=office_a, indicator=indicator, starts_on=dt.date(2026, 7, 1))
    confirmed(lead_office=unit_a, indicator=indicator, starts_on=dt.date(2026, 5, 4))
    PlanFactory(lead_office=unit_a, indicator=indicator, starts_on=dt.date(2026, 9, 1))
    confirmed(
        lead_office=office_b,
        indicator=indicator,
        starts_on=dt.date(2026, 8, 1),
        confidentiality=Confidentiality.RESTRICTED,
    )


def planned(data):
    return [
        (line.office.code, line.with_units, line.confirmed, line.planned) for line in data.planned
    ]


def test_an_annual_report_has_the_years_notes_and_the_plans_after_its_last_day(
    notes_and_plans,
):
    data = report_data(ReportScope.annual(2026, as_of=AS_OF))
    assert [note.text for note in data.notes] == [
        "March: the fair was postponed.",
        "June: unit on track.",
        "May: office B.",
    ]
    # office A with its unit: 1 July confirmed, 1 September planned (4 May is before 15 June)
    assert planned(data) == [("OFFA", True, 1, 1), ("UNITA", False, 0, 1), ("OFFB", True, 1, 0)]


def test_a_quarters_report_has_its_months_notes_and_the_plans_after_its_end(notes_and_plans):
    data = report_data(ReportScope(dt.date(2026, 1, 1), dt.date(2026, 3, 31), AS_OF))
    assert [note.text for note in data.notes] == ["March: the fair was postponed."]
    # after 31 March, read as the plans stand today: 4 May counts now
    assert planned(data) == [("OFFA", True, 2, 1), ("UNITA", False, 1, 1), ("OFFB", True, 1, 0)]


def test_an_offices_report_has_only_its_own(notes_and_plans, office_a):
    data = report_data(ReportScope.annual(2026, as_of=AS_OF, office=office_a))
    assert {note.office.code for note in data.notes} == {"OFFA", "UNITA"}
    assert {code for code, *_rest in planned(data)} == {"OFFA", "UNITA"}


def test_the_workbook_has_a_sheet_of_notes_and_one_of_plans(notes_and_plans):
    buffer = io.BytesIO()
    write_report(report_data(ReportScope.annual(2026, as_of=AS_OF)), "xlsx", buffer)
    buffer.seek(0)
    workbook = openpyxl.load_workbook(buffer)
    notes = list(workbook["Notes"].iter_rows(min_row=2, values_only=True))
    assert notes[0] == (
        "OFFA",
        "Office A",
        "Visits",
        "March 2026",
        "March: the fair was postponed.",
        "Plan two visits in April.",
    )
    assert len(notes) == 3
    plans = list(workbook["Plans ahead"].iter_rows(min_row=2, values_only=True))
    assert plans[0] == ("OFFA", "Office A", "Office, with units", "Visits", 1, 1)


def test_the_pdf_prints_the_notes_and_the_plans_and_stays_the_same_for_the_same_data(
    notes_and_plans,
):
    data = report_data(ReportScope.annual(2026, as_of=AS_OF))
    first, second = io.BytesIO(), io.BytesIO()
    write_pdf(data, first)
    write_pdf(report_data(ReportScope.annual(2026, as_of=AS_OF)), second)
    assert first.getvalue() == second.getvalue()
    reader = pypdf.PdfReader(io.BytesIO(first.getvalue()))
    text = "\n".join(page.extract_text() for page in reader.pages).replace("\x00", "")
    assert "Notes and plans" in text
    assert "March: the fair was postponed." in text
    assert "Plan two visits in April." in text
    assert "Plans ahead after the last day counted" in text


def test_a_report_without_notes_says_so(db):
    data = report_data(ReportScope.annual(2026, as_of=AS_OF))
    out = io.BytesIO()
    write_pdf(data, out)
    reader = pypdf.PdfReader(io.BytesIO(out.getvalue()))
    text = "\n".join(page.extract_text() for page in reader.pages).replace("\x00", "")
    assert "No notes were written for these months." in text
