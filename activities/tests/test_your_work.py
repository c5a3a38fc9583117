"""An office's page shows its own people "your work": drafts, what was returned to them with
the comment, months closing soon, their reopening requests, each linking to where to act."""

import datetime as dt

import pytest
from django.urls import reverse

from activities.models import PeriodReopening, Status
from activities.selectors import WORK_ITEMS, work_of
from activities.tests.factories import ActivityFactory
from offices.tests.factories import IndicatorFactory

pytestmark = [pytest.mark.django_db]

# 6 June: May closes for entry at the end of 10 June (KPI_PERIOD_CLOSE_DAY), in four days.
JUNE_6 = dt.datetime(2026, 6, 6, 10, 0)


@pytest.fixture
def speaking(db):
    return IndicatorFactory(code="speaking", name_en="Speaking occasions")


@pytest.mark.frozen_at(JUNE_6)
def test_the_work_of_a_person(staff_a, supervisor_a, office_a, speaking):
    draft = ActivityFactory(
        lead_office=office_a, indicator=speaking, created_by=staff_a, status=Status.DRAFT
    )
    returned = ActivityFactory(
        lead_office=office_a,
        indicator=speaking,
        created_by=staff_a,
        status=Status.RETURNED,
        reviewed_by=supervisor_a,
        review_comment="Which outlet?",
    )
    ActivityFactory(lead_office=office_a, indicator=speaking, created_by=supervisor_a)
    ActivityFactory(  # removed drafts wait for no one
        lead_office=office_a,
        indicator=speaking,
        created_by=staff_a,
        status=Status.DRAFT,
        removed_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
        removed_by=staff_a,
        removal_reason="Twice",
    )
    asked = PeriodReopening.objects.create(
        office=office_a, year=2026, month=3, reason="Late", requested_by=staff_a
    )

    work = work_of(staff_a)

    assert work.drafts == [draft]
    assert work.returned == [returned]
    assert [(s.year, s.month) for s in work.closing] == [(2026, 5)]
    assert work.reopenings == [asked]
    assert work.anything


@pytest.mark.frozen_at(dt.datetime(2026, 6, 20, 10, 0))
def test_nothing_closes_soon_in_the_middle_of_a_month(staff_a):
    work = work_of(staff_a)
    assert work.closing == [] and not work.anything


@pytest.mark.frozen_at(JUNE_6)
def test_the_office_page_shows_its_own_people_their_work(
    client_staff_a, staff_a, supervisor_a, office_a, speaking
):
    returned = ActivityFactory(
        lead_office=office_a,
        indicator=speaking,
        created_by=staff_a,
        status=Status.RETURNED,
        reviewed_by=supervisor_a,
        review_comment="Which outlet?",
    )
    own = client_staff_a.get(reverse("offices:detail", args=[office_a.code])).content.decode()
    assert "Your work" in own
    assert reverse("activities:edit", args=[returned.pk]) in own
    assert "Which outlet?" in own
    assert "log its activities by" in own  # May closes on 10 June


@pytest.mark.frozen_at(JUNE_6)
def test_the_bureau_has_no_office_work(client_bureau, office_a):
    bureau = client_bureau.get(reverse("offices:detail", args=[office_a.code])).content.decode()
    assert "Your work" not in bureau


@pytest.mark.frozen_at(dt.datetime(2026, 6, 20, 10, 0))
def test_with_nothing_waiting_the_page_says_so(client_staff_a, office_a):
    html = client_staff_a.get(reverse("offices:detail", args=[office_a.code])).content.decode()
    assert "Nothing is waiting for you" in html


@pytest.mark.frozen_at(JUNE_6)
def test_drafts_and_returns_of_one_moment_come_newest_first(
    staff_a, supervisor_a, office_a, speaking
):
    """An import's drafts share one moment, as does a batch returned at once: the list
    is the same on every visit, the last recorded first."""
    drafts = [
        ActivityFactory(
            lead_office=office_a, indicator=speaking, created_by=staff_a, status=Status.DRAFT
        )
        for _ in range(WORK_ITEMS + 2)
    ]
    returned = [
        ActivityFactory(
            lead_office=office_a,
            indicator=speaking,
            created_by=staff_a,
            status=Status.RETURNED,
            reviewed_by=supervisor_a,
            reviewed_at=dt.datetime(2026, 6, 5, tzinfo=dt.UTC),
            review_comment="Which outlet?",
        )
        for _ in range(WORK_ITEMS + 2)
    ]

    work = work_of(staff_a)

    assert work.drafts == drafts[::-1][: WORK_ITEMS + 1]
    assert work.returned == returned[::-1][: WORK_ITEMS + 1]
