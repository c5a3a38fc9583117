"""An activity's history reads as the person's own language: Hong Kong time, people's
names, field labels and choice labels."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import AuthorityLevel, Status
from activities.tests.factories import ActivityFactory
from offices.tests.factories import IndicatorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def changed(office_a, staff_a, supervisor_a):
    staff_a.first_name, staff_a.last_name = "Amy", "Chan"
    staff_a.save()
    supervisor_a.first_name, supervisor_a.last_name = "Bob", "Lee"
    supervisor_a.save()
    activity = ActivityFactory(
        lead_office=office_a,
        indicator=IndicatorFactory(),
        occurred_on=dt.date(2026, 6, 3),
        status=Status.DRAFT,
        created_by=staff_a,
    )
    activity.status = Status.SUBMITTED
    activity.authority_level = AuthorityLevel.PROVINCIAL
    activity.counted_since = timezone.now()
    activity._history_user = staff_a
    activity.save()
    # verified by the supervisor half an hour later (01:30 UTC, 09:30 in Hong Kong)
    activity.status = Status.VERIFIED
    activity.reviewed_by = supervisor_a
    activity.reviewed_at = dt.datetime(2026, 6, 15, 1, 30, tzinfo=dt.UTC)
    activity._history_user = supervisor_a
    activity.save()
    return activity


def history(client, activity, language="en"):
    """The history as the page shows it: its entries, and the section's HTML."""
    client.cookies["django_language"] = language
    response = client.get(reverse("activities:detail", args=[activity.pk]))
    section = response.content.decode().split('id="history-heading"')[1].split("</section>")[0]
    return response.context["history"], section


EXPECTED = {
    "en": {
        "Status": ("Submitted", "Verified"),
        "Verified or returned by": ("—", "Bob Lee"),
        "Verified or returned at": ("—", "2026-06-15 09:30"),  # 01:30 UTC
    },
    "zh-hant": {
        "狀態": ("已提交", "已核實"),
        "核實或退回人員": ("—", "Bob Lee"),
        "核實或退回時間": ("—", "2026-06-15 09:30"),
    },
}
SUBMITTED = {
    "en": {"Status": ("Draft", "Submitted"), "Level of the authority": ("—", "Provincial")},
    "zh-hant": {"狀態": ("草稿", "已提交"), "部門級別": ("—", "省級")},
}


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_the_history_names_people_labels_and_hong_kong_time(
    client_supervisor_a, changed, staff_a, supervisor_a, language
):
    entries, section = history(client_supervisor_a, changed, language)
    verified, submitted, created = entries
    assert (verified.by, submitted.by) == (supervisor_a, staff_a)
    assert {label: (old, new) for label, old, new in verified.changes} == EXPECTED[language]
    assert {label: (old, new) for label, old, new in submitted.changes} == SUBMITTED[language]
    for label, (_old, new) in {**EXPECTED[language], **SUBMITTED[language]}.items():
        assert f'<th scope="row">{label}</th>' in section
        assert f">{new}</td>" in section
    assert section.count(">2026-06-15 10:00</time>") == 3  # Hong Kong time, not 02:00 UTC
    assert "Bob Lee" in section and "Amy Chan" in section
    assert "submitted<" not in section and "provincial<" not in section


def test_the_history_stacks_on_a_phone(client_supervisor_a, changed):
    entries, section = history(client_supervisor_a, changed)
    assert section.count('<table class="changes stack-on-phone">') == 2
    assert '<td data-label="Before">' in section and '<td data-label="After">' in section
    assert '<time datetime="2026-06-15T10:00:00+08:00">' in section
