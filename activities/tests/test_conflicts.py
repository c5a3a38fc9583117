"""An edit refused because someone else saved the activity after the form was opened: the
form comes back merged (the latest value of every field the person did not touch, their
own changes kept, a choice where both changed the same field), and saving it again never
reverts anybody's change."""

import datetime as dt
import threading

import pytest
from django import db, forms
from django.db import connection
from django.test import Client
from django.urls import reverse

from activities import conflicts, services
from activities.models import Activity
from activities.tests.factories import ActivityFactory
from offices.tests.factories import (
    CounterpartFactory,
    IndicatorFactory,
    OfficeFactory,
    RegionFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

JUNE = dt.date(2026, 6, 3)


@pytest.fixture
def speaking(db):
    return IndicatorFactory(code="speaking", name_en="Speaking occasions", asks_event_name=True)


@pytest.fixture
def commerce(db):
    return CounterpartFactory(name_en="Department of Commerce of Hubei Province")


@pytest.fixture
def media(db):
    return CounterpartFactory(name_en="Hubei Daily", type="media")


@pytest.fixture
def tdc(db):
    return CounterpartFactory(name_en="HKTDC", type="partner")


@pytest.fixture
def activity(staff_a, office_a, speaking, commerce):
    """Version 1, which the author opens in the edit form."""
    activity = services.activity_create(
        user=staff_a,
        lead_office=office_a,
        indicator=speaking,
        occurred_on=JUNE,
        title="Speech",
        event_name="Hong Kong forum",
        city="Wuhan",
        notes="",
        counterparts=[commerce],
    )
    assert activity.version == 1
    return activity


def edit_url(activity):
    return reverse("activities:edit", args=[activity.pk])


def as_submitted(form) -> dict:
    """What a browser sends for the form as the page shows it (no script running)."""
    data = {}
    for bound in form:
        value = bound.value()
        if isinstance(bound.field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
            continue
        if value is None:
            if bound.is_hidden or not isinstance(bound.field.widget, forms.RadioSelect):
                data[bound.html_name] = ""
            continue
        if isinstance(value, list | tuple):
            data[bound.html_name] = [str(getattr(v, "pk", v)) for v in value]
        elif isinstance(value, dt.date):
            data[bound.html_name] = value.isoformat()
        else:
            data[bound.html_name] = str(getattr(value, "pk", value))
    return data


def opened(client, activity) -> dict:
    """The author opens the edit form: what it would send if saved untouched."""
    return as_submitted(client.get(edit_url(activity)).context["form"])


def colleague_saves(user, activity, version, **fields):
    return services.activity_update(
        user=user, activity_id=activity.pk, expected_version=version, **fields
    )


# --- one person changes one field, the other another ---------------------------------------


COLLEAGUE_CHANGES = {
    "title": lambda ctx: {"title": "Keynote"},
    "notes": lambda ctx: {"notes": "Moved to the morning"},
    "city": lambda ctx: {"city": "Yichang"},
    "occurred_on": lambda ctx: {"occurred_on": dt.date(2026, 6, 2)},
    "region": lambda ctx: {"region": ctx["region"]},
    "counterparts": lambda ctx: {"counterparts": [ctx["commerce"], ctx["media"]]},
    "participating_offices": lambda ctx: {"participating_offices": [ctx["office_b"]]},
    "partners": lambda ctx: {"partners": [ctx["tdc"]]},
}


@pytest.mark.parametrize("changed", list(COLLEAGUE_CHANGES))
def test_saving_again_keeps_the_field_a_colleague_changed(
    client_staff_a, supervisor_a, activity, office_b, commerce, media, tdc, changed
):
    ctx = {
        "office_b": office_b,
        "commerce": commerce,
        "media": media,
        "tdc": tdc,
        "region": RegionFactory(name_en="Hubei"),
    }
    data = opened(client_staff_a, activity)
    colleague_saves(supervisor_a, activity, 1, **COLLEAGUE_CHANGES[changed](ctx))
    after_colleague = conflicts.values_at(Activity.objects.get(), 2)

    data["hk_participants"] = "Director"  # the author's own change, on version 1
    refused = client_staff_a.post(edit_url(activity), data)

    assert refused.status_code == 409
    assert "Someone else changed this activity" in refused.content.decode()
    assert Activity.objects.get().hk_participants == ""  # nothing of theirs was saved yet
    form = refused.context["form"]
    assert 'type="radio"' not in refused.content.decode()  # nothing to choose

    saved = client_staff_a.post(edit_url(activity), as_submitted(form))

    assert saved.status_code == 302
    now = conflicts.values_at(Activity.objects.get(), 3)
    assert now[changed] == after_colleague[changed]
    assert now["hk_participants"] == "Director"


def test_the_refused_form_shows_the_latest_values_and_keeps_mine(
    client_staff_a, supervisor_a, activity, media
):
    data = opened(client_staff_a, activity)
    colleague_saves(supervisor_a, activity, 1, title="Keynote", counterparts=[media])
    data["notes"] = "Bring the brochures"

    refused = client_staff_a.post(edit_url(activity), data)

    form = refused.context["form"]
    assert form["title"].value() == "Keynote"
    assert [str(pk) for pk in form["counterparts"].value()] == [str(media.pk)]
    assert form["notes"].value() == "Bring the brochures"
    assert form["version"].value() == 2
    page = refused.content.decode()
    assert "You had not changed it: the form now shows their value." in page
    assert "Hubei Daily" in page


def test_a_field_both_changed_to_the_same_value_is_not_a_choice(
    client_staff_a, supervisor_a, activity
):
    data = opened(client_staff_a, activity)
    colleague_saves(supervisor_a, activity, 1, title="Keynote")
    data["title"] = "Keynote"

    refused = client_staff_a.post(edit_url(activity), data)

    assert refused.status_code == 409
    assert refused.context["form"].choices_to_make == []
    assert "You made the same change." in refused.content.decode()


def test_line_breaks_sent_by_a_browser_are_not_a_change(client_staff_a, supervisor_a, activity):
    colleague_saves(supervisor_a, activity, 1, hk_participants="Director\nDeputy")
    data = opened(client_staff_a, activity)
    colleague_saves(supervisor_a, activity, 2, hk_participants="Director")
    data["hk_participants"] = "Director\r\nDeputy"  # as a browser sends the textarea
    data["notes"] = "Mine"

    refused = client_staff_a.post(edit_url(activity), data)

    form = refused.context["form"]
    assert form.choices_to_make == []
    assert form["hk_participants"].value() == "Director"


# --- both change the same field --------------------------------------------------------------


@pytest.fixture
def both_changed_title(client_staff_a, supervisor_a, activity):
    """The supervisor renames it Keynote; the author, on version 1, My speech (and notes)."""
    data = opened(client_staff_a, activity)
    colleague_saves(supervisor_a, activity, 1, title="Keynote", city="Yichang")
    data.update(title="My speech", notes="Mine")
    return client_staff_a.post(edit_url(activity), data)


def test_both_changed_a_field_the_person_chooses(both_changed_title, supervisor_a):
    refused = both_changed_title
    assert refused.status_code == 409
    form = refused.context["form"]
    [choice] = form.choices_to_make
    assert choice.name == "choice_title"
    labels = dict(choice.field.choices)
    assert labels["mine"] == "Keep yours: My speech"
    assert labels["theirs"].startswith(f"Take the one {supervisor_a.get_full_name()} saved at")
    assert labels["theirs"].endswith(": Keynote")
    page = refused.content.decode()
    assert '<fieldset aria-describedby="id_choice_title_helptext">' in page
    assert "<legend>Title</legend>" in page
    assert 'type="radio" name="choice_title" value="mine"' in page
    assert 'type="hidden" name="title" value="My speech"' in page
    # the other fields are merged as ever
    assert (form["city"].value(), form["notes"].value()) == ("Yichang", "Mine")


@pytest.mark.parametrize("choice, title", [("mine", "My speech"), ("theirs", "Keynote")])
def test_each_choice_saves_what_it_says(client_staff_a, both_changed_title, choice, title):
    data = as_submitted(both_changed_title.context["form"])
    data["choice_title"] = choice

    saved = client_staff_a.post(edit_url(both_changed_title.context["activity"]), data)

    assert saved.status_code == 302
    activity = Activity.objects.get()
    assert (activity.title, activity.city, activity.notes) == (title, "Yichang", "Mine")


def test_nothing_is_saved_until_the_person_chooses(client_staff_a, both_changed_title):
    data = as_submitted(both_changed_title.context["form"])

    again = client_staff_a.post(edit_url(both_changed_title.context["activity"]), data)

    assert again.status_code == 400
    assert Activity.objects.get().title == "Keynote"
    assert Activity.objects.get().version == 2
    page = again.content.decode()
    assert 'href="#id_choice_title">Title: Choose which value to keep.' in page
    assert 'id="id_choice_title_error"' in page
    labels = dict(again.context["form"]["choice_title"].field.choices)
    assert labels["mine"] == "Keep yours: My speech"
    assert labels["theirs"].endswith(": Keynote")


def test_related_lists_both_changed_are_a_choice(
    client_staff_a, supervisor_a, activity, commerce, media, office_b
):
    data = opened(client_staff_a, activity)
    colleague_saves(supervisor_a, activity, 1, counterparts=[media])
    data["counterparts"] = [str(commerce.pk), str(media.pk)]

    refused = client_staff_a.post(edit_url(activity), data)

    form = refused.context["form"]
    assert [c.name for c in form.choices_to_make] == ["choice_counterparts"]
    submitted = as_submitted(form)
    assert sorted(submitted["counterparts"]) == sorted([str(commerce.pk), str(media.pk)])
    submitted["choice_counterparts"] = "theirs"
    assert client_staff_a.post(edit_url(activity), submitted).status_code == 302
    assert list(Activity.objects.get().counterparts.all()) == [media]


# --- a third change between the refusal and the new save --------------------------------------


def test_a_third_change_is_refused_again_and_not_reverted(
    client_staff_a, supervisor_a, activity, media
):
    data = opened(client_staff_a, activity)
    colleague_saves(supervisor_a, activity, 1, title="Keynote")
    data["notes"] = "Mine"
    refused = client_staff_a.post(edit_url(activity), data)
    # someone saves once more while the author reads the merged form
    colleague_saves(supervisor_a, activity, 2, title="Keynote speech", counterparts=[media])

    again = client_staff_a.post(edit_url(activity), as_submitted(refused.context["form"]))

    assert again.status_code == 409
    activity = Activity.objects.get()
    assert (activity.title, activity.notes, activity.version) == ("Keynote speech", "", 3)
    form = again.context["form"]
    assert form["title"].value() == "Keynote speech"
    assert form["notes"].value() == "Mine"
    assert form.choices_to_make == []
    assert client_staff_a.post(edit_url(activity), as_submitted(form)).status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.notes) == ("Keynote speech", "Mine")
    assert list(activity.counterparts.all()) == [media]


def test_taking_theirs_then_a_third_change_takes_the_latest(
    client_staff_a, supervisor_a, both_changed_title
):
    data = as_submitted(both_changed_title.context["form"])
    data["choice_title"] = "theirs"
    activity = Activity.objects.get()
    colleague_saves(supervisor_a, activity, 2, title="Keynote at the forum")

    again = client_staff_a.post(edit_url(activity), data)

    assert again.status_code == 409
    assert Activity.objects.get().title == "Keynote at the forum"
    form = again.context["form"]
    assert form.choices_to_make == []  # the author took theirs: the newest one stands
    assert form["title"].value() == "Keynote at the forum"


def test_keeping_mine_then_a_third_change_to_the_field_asks_again(
    client_staff_a, supervisor_a, both_changed_title
):
    data = as_submitted(both_changed_title.context["form"])
    data["choice_title"] = "mine"
    activity = Activity.objects.get()
    colleague_saves(supervisor_a, activity, 2, title="Keynote at the forum")

    again = client_staff_a.post(edit_url(activity), data)

    assert again.status_code == 409
    assert Activity.objects.get().title == "Keynote at the forum"
    [choice] = again.context["form"].choices_to_make
    labels = dict(choice.field.choices)
    assert labels["mine"] == "Keep yours: My speech"
    assert labels["theirs"].endswith(": Keynote at the forum")


# --- the merge of an activity's versions --------------------------------------------------------


def test_merge_names_who_changed_each_field_and_when(
    staff_a, supervisor_a, activity, frozen, media
):
    frozen.shift(dt.timedelta(minutes=5))
    colleague_saves(supervisor_a, activity, 1, title="Keynote")
    frozen.shift(dt.timedelta(minutes=5))
    colleague_saves(staff_a, activity, 2, counterparts=[media])

    merge = conflicts.activity_merge(
        Activity.objects.get(), base_version=1, mine={"title": "Mine", "notes": "x"}
    )

    assert merge.version == 3
    by_field = {c.name: c for c in merge.changes}
    assert set(by_field) == {"title", "counterparts"}
    assert (by_field["title"].by, by_field["title"].outcome) == (supervisor_a, "conflict")
    assert by_field["title"].at.astimezone(dt.UTC) == dt.datetime(2026, 6, 15, 2, 5, tzinfo=dt.UTC)
    assert (by_field["counterparts"].by, by_field["counterparts"].outcome) == (staff_a, "theirs")
    assert by_field["counterparts"].theirs == "Hubei Daily"
    assert merge.values["counterparts"] == frozenset({media.pk})
    assert merge.values["notes"] == "x"


def test_a_version_not_on_record_makes_every_difference_a_choice(activity):
    merge = conflicts.activity_merge(
        activity, base_version=99, mine={"title": "Other", "city": "Wuhan"}
    )
    assert [c.name for c in merge.conflicts] == ["title"]
    assert merge.values["title"] == "Other"


def test_an_activity_without_history_merges_against_its_row(office_a, speaking):
    activity = ActivityFactory(lead_office=office_a, indicator=speaking, title="Row")
    activity.history.all().delete()
    merge = conflicts.activity_merge(activity, base_version=1, mine={"title": "Mine"})
    assert merge.version == activity.version
    assert [c.name for c in merge.conflicts] == ["title"]


def test_the_lead_office_is_a_field_like_the_others(client_admin, bureau_admin, activity, office_a):
    other = OfficeFactory(code="OTH", name_en="Other office")
    data = opened(client_admin, activity)
    colleague_saves(bureau_admin, activity, 1, lead_office=other)
    data["title"] = "Renamed"

    refused = client_admin.post(edit_url(activity), data)

    assert refused.status_code == 409
    assert str(refused.context["form"]["lead_office"].value()) == str(other.pk)
    assert (
        client_admin.post(edit_url(activity), as_submitted(refused.context["form"])).status_code
        == 302
    )
    activity = Activity.objects.get()
    assert (activity.lead_office, activity.title) == (other, "Renamed")


# --- two saves at the same moment -------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)"
)
@pytest.mark.django_db(transaction=True)
def test_two_saves_at_once_one_is_refused_and_merged(staff_a, supervisor_a, activity):
    """Both open version 1 and press Save together, each with a different change: the row
    lock lets one through; the other is refused with the first one's change merged in."""
    forms_opened = {}
    for user in (staff_a, supervisor_a):
        client = Client()
        client.force_login(user)
        forms_opened[user.username] = (client, opened(client, activity))
    forms_opened[staff_a.username][1]["notes"] = "Bring the brochures"
    forms_opened[supervisor_a.username][1]["city"] = "Yichang"
    start = threading.Barrier(2)
    answers = {}

    def save(name):
        client, data = forms_opened[name]
        try:
            start.wait(timeout=10)
            answers[name] = client.post(edit_url(activity), data)
        finally:
            db.connection.close()

    threads = [threading.Thread(target=save, args=(name,)) for name in forms_opened]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(a.status_code for a in answers.values()) == [302, 409]
    [(loser, refused)] = [(n, a) for n, a in answers.items() if a.status_code == 409]
    client = forms_opened[loser][0]
    assert client.post(edit_url(activity), as_submitted(refused.context["form"])).status_code == 302
    activity.refresh_from_db()
    assert (activity.notes, activity.city, activity.version) == (
        "Bring the brochures",
        "Yichang",
        3,
    )
