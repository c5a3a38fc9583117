"""Each person's calendar feed: what it holds (read back with icalendar, as a calendar
program would), that the token is the only credential, and the page where a person makes,
replaces or turns off their address."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from offices.tests.factories import CounterpartFactory, RegionFactory
from planning import services
from planning.models import CalendarFeed, Confidentiality, PlanStatus
from planning.tests.factories import PlanFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

HK = ZoneInfo("Asia/Hong_Kong")
SUBSCRIPTION = "/planning/calendar-subscription/"


def feed_url(raw: str) -> str:
    return reverse("planning:feed", kwargs={"token": raw})


def events(response) -> dict[str, icalendar.Event]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


@pytest.fixture
def guangdong(db):
    return RegionFactory(code="440000", name_en="Guangdong")


@pytest.fixture
def plans(office_a, unit_a, office_b, indicator, guangdong, staff_a, bureau_viewer):
    def plan(title, office, **extra):
        return PlanFactory(
            title=title, lead_office=office, indicator=indicator, region=guangdong, **extra
        )

    department = CounterpartFactory(name_en="Department of Commerce", region=guangdong)
    return {
        "visit": plan(
            "Visit",
            office_a,
            starts_on=dt.date(2026, 6, 22),
            starts_at=dt.time(9, 30),
            ends_at=dt.time(11),
            counterparts=[department],
            purpose="Trade fair",
        ),
        "fair": plan(
            "Fair",
            unit_a,
            starts_on=dt.date(2026, 7, 1),
            ends_on=dt.date(2026, 7, 3),
            status=PlanStatus.CONFIRMED,
            confirmed_at=timezone.now(),
        ),
        "joined": plan("Joined", office_b, participating_offices=[office_a]),
        "cancelled": plan(
            "Cancelled",
            office_a,
            status=PlanStatus.CANCELLED,
            cancel_reason="travel",
            cancelled_at=timezone.now(),
        ),
        "long ago": plan("Long ago", office_a, starts_on=dt.date(2026, 3, 1)),
        "next year": plan("Next year", office_a, starts_on=dt.date(2027, 6, 16)),
        "b shared": plan("B shared", office_b),
        "b restricted": plan(
            "B restricted",
            office_b,
            confidentiality=Confidentiality.RESTRICTED,
            status=PlanStatus.CONFIRMED,
            confirmed_at=timezone.now(),
        ),
        "b attended": plan("B attended", office_b, attendees=[bureau_viewer]),
    }


def test_an_offices_feed_holds_its_plans_in_full(client, plans, staff_a):
    _feed, raw = services.feed_create(user=staff_a)
    found = events(client.get(feed_url(raw)))
    # Led by the office or its unit, or joined; not cancelled, not out of the window, and
    # never another office's (seen as a summary, or restricted).
    assert set(found) == {"Visit", "Fair", "Joined"}

    visit = found["Visit"]
    plan = plans["visit"]
    assert str(visit["UID"]) == f"plan-{plan.pk}@kpi-tracker"
    assert visit.decoded("DTSTART") == dt.datetime(2026, 6, 22, 9, 30, tzinfo=HK)
    assert visit["DTSTART"].params["TZID"] == "Asia/Hong_Kong"
    assert visit.decoded("DTEND") == dt.datetime(2026, 6, 22, 11, tzinfo=HK)
    assert str(visit["STATUS"]) == "TENTATIVE"
    assert str(visit["LOCATION"]) == "Guangzhou, Guangdong"
    assert visit["SEQUENCE"] == 1
    assert str(visit["URL"]) == f"http://testserver/planning/plans/{plan.pk}/"
    description = str(visit["DESCRIPTION"])
    assert "Department of Commerce" in description
    assert "Visits" in description  # the indicator
    assert "Trade fair" in description
    assert "Planned" in description

    fair = found["Fair"]  # all day, three days: iCalendar's end is the day after
    assert fair.decoded("DTSTART") == dt.date(2026, 7, 1)
    assert fair.decoded("DTEND") == dt.date(2026, 7, 4)
    assert str(fair["STATUS"]) == "CONFIRMED"


def test_a_plan_changed_keeps_its_uid_with_a_higher_sequence(client, plans, staff_a):
    _feed, raw = services.feed_create(user=staff_a)
    before = events(client.get(feed_url(raw)))["Visit"]
    services.plan_update(
        user=staff_a, plan=plans["visit"], version=1, title="Visit", city="Shenzhen"
    )
    after = events(client.get(feed_url(raw)))["Visit"]
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] == 2
    assert str(after["LOCATION"]) == "Shenzhen, Guangdong"


def test_a_bureau_feed_holds_what_they_attend_and_every_confirmed_plan(
    client, plans, bureau_viewer
):
    _feed, raw = services.feed_create(user=bureau_viewer)
    assert set(events(client.get(feed_url(raw)))) == {"Fair", "B restricted", "B attended"}


def test_the_feed_is_in_the_persons_language(client, plans, staff_a):
    staff_a.language = "zh-hant"
    staff_a.save()
    _feed, raw = services.feed_create(user=staff_a)
    response = client.get(feed_url(raw), HTTP_ACCEPT_LANGUAGE="en")
    assert "拜訪" in str(events(response)["Visit"]["DESCRIPTION"])  # the indicator's name


def test_links_point_to_the_sites_address_when_set(client, plans, staff_a, settings):
    settings.KPI_SITE_URL = "https://kpi.cmab.gov.hk/"
    _feed, raw = services.feed_create(user=staff_a)
    visit = events(client.get(feed_url(raw)))["Visit"]
    assert str(visit["URL"]) == f"https://kpi.cmab.gov.hk/planning/plans/{plans['visit'].pk}/"


def test_only_a_working_token_opens_a_feed(client, plans, staff_a):
    feed, raw = services.feed_create(user=staff_a)
    assert client.get(feed_url("not-a-token")).status_code == 404
    assert client.get(feed_url("x" * 200)).status_code == 404
    _new, new_raw = services.feed_create(user=staff_a)  # the old one stops working
    assert client.get(feed_url(raw)).status_code == 404
    assert client.get(feed_url(new_raw)).status_code == 200
    services.feed_revoke(user=staff_a)
    assert client.get(feed_url(new_raw)).status_code == 404
    _third, third_raw = services.feed_create(user=staff_a)
    staff_a.is_active = False
    staff_a.save()
    assert client.get(feed_url(third_raw)).status_code == 404


def test_the_feed_records_when_it_was_last_used(client, plans, staff_a):
    feed, raw = services.feed_create(user=staff_a)
    assert feed.last_used_at is None
    client.get(feed_url(raw))
    feed.refresh_from_db()
    assert feed.last_used_at == timezone.now()


def test_the_feed_costs_the_same_for_any_number_of_plans(
    client, plans, staff_a, office_a, indicator, guangdong, django_assert_num_queries
):
    counterparts = CounterpartFactory.create_batch(3, region=guangdong)
    PlanFactory.create_batch(
        10, lead_office=office_a, indicator=indicator, region=guangdong, counterparts=counterparts
    )
    _feed, raw = services.feed_create(user=staff_a)
    # the feed with its person, its last use, the person's office scope, the plans with
    # offices, indicators and regions, their counterparts
    with django_assert_num_queries(5):
        assert len(events(client.get(feed_url(raw)))) == 13


# --- the page ---------------------------------------------------------------------------------


def test_making_an_address_shows_it_once(client_staff_a, staff_a):
    page = client_staff_a.get(SUBSCRIPTION)
    assert page.status_code == 200
    assert "Make my calendar address" in page.content.decode()

    made = client_staff_a.post(SUBSCRIPTION)
    assert made.status_code == 200
    html = made.content.decode()
    assert "Subscribe from web" in html
    address = re.search(r'value="(http://testserver/planning/feed/[^"]+\.ics)"', html).group(1)
    assert made["Cache-Control"].startswith("max-age=0")
    assert client_staff_a.get(address).status_code == 200

    again = client_staff_a.get(SUBSCRIPTION).content.decode()
    assert address not in again
    assert "Active" in again
    assert "Last fetched by a calendar on" in again


def test_a_new_address_asks_first_and_stops_the_old(client_staff_a, staff_a):
    _feed, old = services.feed_create(user=staff_a)
    # The page's own button does not replace an active address: it goes to the question.
    assert client_staff_a.post(SUBSCRIPTION).url == reverse("planning:feed_new")
    assert client_staff_a.get(feed_url(old)).status_code == 200

    question = client_staff_a.get(reverse("planning:feed_new"))
    assert "Make a new calendar address?" in question.content.decode()
    made = client_staff_a.post(reverse("planning:feed_new"))
    assert made.status_code == 200
    assert client_staff_a.get(feed_url(old)).status_code == 404
    assert CalendarFeed.objects.filter(user=staff_a, revoked_at__isnull=True).count() == 1


def test_turning_it_off_asks_first(client_staff_a, staff_a):
    assert client_staff_a.get(reverse("planning:feed_off")).url == SUBSCRIPTION  # none
    _feed, raw = services.feed_create(user=staff_a)
    question = client_staff_a.get(reverse("planning:feed_off"))
    assert "Turn the calendar subscription off?" in question.content.decode()
    assert client_staff_a.get(feed_url(raw)).status_code == 200
    done = client_staff_a.post(reverse("planning:feed_off"), follow=True)
    assert "calendars using it no longer update" in done.content.decode()
    assert client_staff_a.get(feed_url(raw)).status_code == 404


def test_a_persons_page_is_about_their_own_feed_only(client, staff_a, staff_b):
    _feed, raw = services.feed_create(user=staff_b)
    client.force_login(staff_a)
    assert "Make my calendar address" in client.get(SUBSCRIPTION).content.decode()
    client.post(reverse("planning:feed_off"))
    assert client.get(feed_url(raw)).status_code == 200  # staff B's still works


def test_signed_out_the_page_sends_to_sign_in(client):
    for url in (SUBSCRIPTION, reverse("planning:feed_new"), reverse("planning:feed_off")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_the_page_query_count(client_staff_a, staff_a, django_assert_num_queries):
    services.feed_create(user=staff_a)
    # session, user, the active feed; the session's expiry saved (savepoint, update,
    # release)
    with django_assert_num_queries(6):
        assert client_staff_a.get(SUBSCRIPTION).status_code == 200


def test_the_security_page_links_to_the_subscription(client_staff_a):
    assert SUBSCRIPTION in client_staff_a.get(reverse("accounts:security")).content.decode()


def test_the_bureau_page_says_what_its_feed_holds(client, bureau_viewer):
    client.force_login(UserFactory(role=Role.BUREAU_VIEWER))
    assert "every confirmed engagement" in client.get(SUBSCRIPTION).content.decode()
