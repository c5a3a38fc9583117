"""The Django admin never undoes someone else's work: a change form opened before a
colleague's save is refused and offered again merged (common.admin), as the application's
own edit pages do. The forms are read off the real pages and sent back as a browser would."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from activities import services
from activities.models import Activity, Status
from activities.tests.factories import ActivityFactory
from loadtest import pages
from offices.models import Counterpart
from offices.tests.factories import CounterpartFactory, RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admins(bureau_admin):
    other = UserFactory(username="admin2", role=Role.BUREAU_ADMIN, is_staff=True, is_superuser=True)
    clients = []
    for user in (bureau_admin, other):
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def opened(client, url) -> list[tuple[str, str]]:
    """The change form's fields as a browser would send them untouched."""
    page = client.get(url)
    assert page.status_code == 200
    return pages.find_form(page.content.decode(), has_field="_seen").values()


def changed(pairs, **values) -> list[tuple[str, str]]:
    pairs = [(name, value) for name, value in pairs if name not in values]
    return pairs + list(values.items())


def post(client, url, pairs):
    return client.post(url, _encode(pairs), content_type=_FORM)


_FORM = "application/x-www-form-urlencoded"


def _encode(pairs) -> str:
    from urllib.parse import urlencode

    return urlencode(pairs)


@pytest.fixture
def counterpart():
    return CounterpartFactory(
        name_en="Department of Commerce of Hubei", name_zh_hant="湖北省商務廳", region=None
    )


def test_a_colleagues_change_to_a_field_you_did_not_touch_is_kept(admins, counterpart):
    mine, theirs = admins
    url = reverse("admin:offices_counterpart_change", args=[counterpart.pk])
    form = opened(mine, url)

    hubei = RegionFactory(code="420000", name_en="Hubei")
    saved = post(theirs, url, changed(opened(theirs, url), region=str(hubei.pk)))
    assert saved.status_code == 302

    refused = post(mine, url, changed(form, name_en="Hubei Provincial Department of Commerce"))
    assert refused.status_code == 200  # the form again: nothing saved
    text = refused.content.decode()
    assert "Someone else saved this record after you opened it" in text
    assert "Theirs: you had not changed it" in text
    counterpart.refresh_from_db()
    assert (counterpart.name_en, counterpart.region) == ("Department of Commerce of Hubei", hubei)

    # saving again, as offered: both changes kept
    again = pages.find_form(text, has_field="_seen")
    assert again.field("region").options and [
        o.value for o in again.field("region").options if o.selected
    ] == [str(hubei.pk)]
    assert post(mine, url, again.values()).status_code == 302
    counterpart.refresh_from_db()
    assert (counterpart.name_en, counterpart.region) == (
        "Hubei Provincial Department of Commerce",
        hubei,
    )


@pytest.mark.parametrize(("choice", "kept"), [("mine", "Mine"), ("theirs", "Theirs")])
def test_a_field_both_changed_is_a_choice(admins, counterpart, choice, kept):
    mine, theirs = admins
    url = reverse("admin:offices_counterpart_change", args=[counterpart.pk])
    form = opened(mine, url)
    assert post(theirs, url, changed(opened(theirs, url), name_en="Theirs")).status_code == 302

    refused = post(mine, url, changed(form, name_en="Mine"))
    text = refused.content.decode()
    assert refused.status_code == 200
    assert "choose whose value to keep" in text
    assert 'name="keep_name_en"' in text

    again = pages.find_form(text, has_field="_seen").values()
    unchosen = post(mine, url, again)  # no choice made: still nothing saved
    assert unchosen.status_code == 200
    assert "Choose, for each field you both changed" in unchosen.content.decode()
    assert Counterpart.objects.get(pk=counterpart.pk).name_en == "Theirs"

    assert post(mine, url, [*again, ("keep_name_en", choice)]).status_code == 302
    assert Counterpart.objects.get(pk=counterpart.pk).name_en == kept


def test_a_third_change_after_the_refusal_is_refused_again_not_reverted(admins, counterpart):
    mine, theirs = admins
    url = reverse("admin:offices_counterpart_change", args=[counterpart.pk])
    form = opened(mine, url)
    post(theirs, url, changed(opened(theirs, url), name_zh_hans="湖北省商务厅"))
    refused = post(mine, url, changed(form, name_en="Mine"))
    again = pages.find_form(refused.content.decode(), has_field="_seen").values()

    assert (
        post(theirs, url, changed(opened(theirs, url), name_zh_hant="湖北商務廳")).status_code
        == 302
    )
    second = post(mine, url, again)
    assert second.status_code == 200
    counterpart.refresh_from_db()
    assert (counterpart.name_zh_hant, counterpart.name_zh_hans) == ("湖北商務廳", "湖北省商务厅")
    final = pages.find_form(second.content.decode(), has_field="_seen").values()
    assert post(mine, url, final).status_code == 302
    counterpart.refresh_from_db()
    assert (counterpart.name_en, counterpart.name_zh_hant, counterpart.name_zh_hans) == (
        "Mine",
        "湖北商務廳",
        "湖北省商务厅",
    )


def test_a_form_without_its_copy_reverts_nothing(admins, counterpart):
    """A save that does not say what it was opened with cannot tell what it touched: every
    difference from the record is a choice."""
    mine, _theirs = admins
    url = reverse("admin:offices_counterpart_change", args=[counterpart.pk])
    form = [(n, v) for n, v in opened(mine, url) if n != "_seen"]
    refused = post(mine, url, changed(form, name_en="Mine"))
    assert refused.status_code == 200
    assert 'name="keep_name_en"' in refused.content.decode()


def test_an_activity_changed_in_the_application_is_not_reverted_from_the_admin(
    admins, office_a, indicator, staff_a
):
    activity = ActivityFactory(
        lead_office=office_a,
        indicator=indicator,
        occurred_on=timezone.localdate(),  # an open month
        status=Status.DRAFT,
        created_by=staff_a,
        title="Visit",
        notes="",
    )
    mine, _theirs = admins
    url = reverse("admin:activities_activity_change", args=[activity.pk])
    form = opened(mine, url)
    # meanwhile, staff put the notes right on the activity's own page
    services.activity_update(
        user=staff_a, activity_id=activity.pk, expected_version=activity.version, notes="Venue"
    )
    refused = post(mine, url, changed(form, title="Visit to the Commerce Department"))
    assert refused.status_code == 200
    assert Activity.objects.get(pk=activity.pk).title == "Visit"
    again = pages.find_form(refused.content.decode(), has_field="_seen").values()
    assert post(mine, url, again).status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.notes) == ("Visit to the Commerce Department", "Venue")
