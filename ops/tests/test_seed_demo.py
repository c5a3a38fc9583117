import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, User
from activities.models import Activity, Status
from offices.models import Office
from ops.demo import DEMO_PASSWORD, DEMO_USERS

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 30)


@pytest.fixture
def reference(db):
    call_command("load_reference_data", verbosity=0)


def _seed(*args):
    call_command("seed_demo", "--today", TODAY.isoformat(), "--scale", "0.25", *args, verbosity=0)


def test_demo_users_exist_for_every_role_and_can_sign_in(reference, client):
    call_command("seed_demo", "--users-only", verbosity=0)

    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    for demo in DEMO_USERS:
        response = client.post(
            reverse("accounts:login"), {"username": demo.username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, demo.username
        assert client.session["_auth_user_id"] == str(User.objects.get(username=demo.username).pk)
        client.post(reverse("accounts:logout"))


def test_history_covers_last_year_and_this_year_to_today(reference):
    _seed()

    years = {d.year for d in Activity.objects.dates("occurred_on", "year")}
    assert years == {2025, 2026}
    assert not Activity.objects.filter(occurred_on__gt=TODAY).exists()
    assert Activity.objects.filter(occurred_on__month=12, occurred_on__year=2025).exists()
    assert not Activity.objects.counted().filter(counted_since__date__gt=TODAY).exists()
    # every status appears, and a few removals with their reasons
    assert set(Activity.objects.values_list("status", flat=True)) == set(Status.values)
    assert Activity.objects.filter(removed_at__isnull=False).exclude(removal_reason="").exists()
    # units and the centre lead some of their parent's activities; joint ones exist
    assert Activity.objects.filter(lead_office__kind="liaison_unit").exists()
    assert Activity.objects.filter(lead_office__kind="centre").exists()
    assert Activity.objects.filter(participating_offices__isnull=False).exists()
    # visits spread over most of the 31 regions
    assert (
        Activity.objects.filter(indicator__code="visits").values("region").distinct().count() >= 25
    )


def test_large_offices_log_more_and_some_offices_are_behind(reference):
    _seed()

    per_office = {
        code: Activity.objects.counted().in_year(2026).for_office(office).count()
        for code, office in Office.objects.in_bulk(field_name="code").items()
    }
    assert per_office["BJO"] > per_office["CDETO"] > 0
    assert per_office["GDETO"] > per_office["WHETO"] > 0

    # Chengdu's media interviews lag behind its share of the visits
    def count(code, indicator):
        office = Office.objects.get(code=code)
        return (
            Activity.objects.counted()
            .in_year(2026)
            .for_office(office)
            .filter(indicator__code=indicator)
            .count()
        )

    assert count("CDETO", "media") / count("BJO", "media") < 0.14 / 0.27


def test_seeding_twice_adds_nothing(reference):
    _seed()
    users, activities = User.objects.count(), Activity.objects.count()

    _seed()

    assert (User.objects.count(), Activity.objects.count()) == (users, activities)


def test_reset_recreates_the_same_history(reference):
    _seed()
    before = Activity.objects.count()

    _seed("--reset")

    assert Activity.objects.count() == before
    assert Activity.history.count() == before


def test_demo_needs_reference_data(db):
    with pytest.raises(CommandError, match="load_reference_data"):
        _seed()


def test_demo_is_refused_on_production_settings(reference, settings):
    settings.KPI_DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="production"):
        _seed()


def test_the_demo_says_how_the_admin_sets_up_two_step_sign_in(reference, settings):
    def printed() -> str:
        out = StringIO()
        call_command("seed_demo", "--users-only", stdout=out)
        return out.getvalue()

    assert "To try it: sign in as admin, open Sign-in and security" in printed()
    settings.KPI_REQUIRE_2FA_FOR_ADMINS = True
    assert "at its first sign-in, admin is asked to scan the QR code" in printed()
    TOTPDevice.objects.create(user=User.objects.get(username="admin"), confirmed=True)
    assert "admin has it on" in printed()
