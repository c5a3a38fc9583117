import datetime as dt

import pytest
from django.urls import reverse

from activities.models import Activity, PeriodReopening, Status
from activities.tests.factories import ActivityFactory
from offices.tests.factories import CounterpartFactory, IndicatorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

JUNE = "2026-06-03"


@pytest.fixture
def speaking(db):
    return IndicatorFactory(code="speaking", name_en="Speaking occasions", asks_event_name=True)


@pytest.fixture
def visits(db):
    return IndicatorFactory(
        code="visits", name_en="Visits", counterpart_required=True, asks_authority_level=True
    )


def form_data(office, indicator, **extra):
    data = {
        "indicator": indicator.pk,
        "lead_office": office.pk,
        "occurred_on": JUNE,
        "title": "Speech at the Hong Kong forum",
        "event_name": "Hong Kong forum",
        "city": "Wuhan",
    }
    data.update(extra)
    return data


# --- logging -----------------------------------------------------------------------------


def test_staff_log_an_activity_from_the_form(client_staff_a, office_a, speaking):
    assert client_staff_a.get(reverse("activities:create")).status_code == 200

    response = client_staff_a.post(reverse("activities:create"), form_data(office_a, speaking))

    activity = Activity.objects.get()
    assert response.url == reverse("activities:detail", args=[activity.pk])
    assert (activity.status, activity.event_name) == (Status.DRAFT, "Hong Kong forum")


def test_save_and_add_another_keeps_the_common_fields(client_staff_a, office_a, speaking):
    response = client_staff_a.post(
        reverse("activities:create"), {**form_data(office_a, speaking), "add_another": "1"}
    )
    assert response.url.startswith(reverse("activities:create") + "?")
    follow = client_staff_a.get(response.url)
    form = follow.context["form"]
    assert str(form.initial["occurred_on"]) == JUNE
    assert str(form.initial["indicator"]) == str(speaking.pk)
    assert form.initial["city"] == "Wuhan"
    assert "title" not in form.initial


def test_errors_are_shown_next_to_the_fields_and_nothing_is_saved(
    client_staff_a, office_a, speaking
):
    missing = client_staff_a.post(
        reverse("activities:create"), form_data(office_a, speaking, event_name="")
    )
    assert missing.context["form"].errors["event_name"] == ["Give the name of the event."]
    assert 'role="alert"' in missing.content.decode()

    closed = client_staff_a.post(
        reverse("activities:create"), form_data(office_a, speaking, occurred_on="2026-04-02")
    )
    message = " ".join(closed.context["form"].errors["occurred_on"])
    assert "April 2026 closed for entry at the end of 2026-05-10" in message
    assert "bureau admin can reopen it" in message
    assert Activity.objects.count() == 0


def test_a_future_date_is_refused(client_staff_a, office_a, speaking):
    response = client_staff_a.post(
        reverse("activities:create"), form_data(office_a, speaking, occurred_on="2026-06-16")
    )
    assert "future" in " ".join(response.context["form"].errors["occurred_on"])


def test_a_likely_duplicate_is_flagged_and_can_be_confirmed(client_staff_a, office_a, visits):
    commerce = CounterpartFactory()
    data = form_data(office_a, visits, counterparts=[commerce.pk], authority_level="provincial")
    client_staff_a.post(reverse("activities:create"), data)

    flagged = client_staff_a.post(reverse("activities:create"), data)
    assert flagged.status_code == 400
    assert "Possible duplicate" in flagged.content.decode()
    assert Activity.objects.count() == 1
    # The confirmation box is inside the form, so that the browser sends it.
    form = flagged.content.decode().split('<form method="post" class="activity-form"')[1]
    assert 'name="confirm_duplicate"' in form.split("</form>")[0]

    client_staff_a.post(reverse("activities:create"), {**data, "confirm_duplicate": "on"})
    assert Activity.objects.count() == 2


@pytest.mark.parametrize("persona", ["client_bureau"])
def test_viewers_cannot_log(request, persona):
    client = request.getfixturevalue(persona)
    assert client.get(reverse("activities:create")).status_code == 403


def test_staff_cannot_log_for_another_office(client_staff_b, office_a, speaking):
    response = client_staff_b.post(reverse("activities:create"), form_data(office_a, speaking))
    assert response.status_code == 400
    assert "lead_office" in response.context["form"].errors
    assert Activity.objects.count() == 0


# --- detail, edit, conflicts -------------------------------------------------------------------


def test_detail_shows_history_and_is_404_for_other_offices(
    client, staff_a, staff_b, office_a, speaking
):
    activity = ActivityFactory(
        lead_office=office_a, indicator=speaking, occurred_on=dt.date(2026, 6, 3)
    )
    activity.title = "Changed title"
    activity._history_user = staff_a
    activity.save()

    client.force_login(staff_a)
    response = client.get(reverse("activities:detail", args=[activity.pk]))
    assert response.status_code == 200
    [change, created] = response.context["history"]
    assert change.changes[0][0] == "title" or change.changes[0][2] == "Changed title"

    client.force_login(staff_b)
    assert client.get(reverse("activities:detail", args=[activity.pk])).status_code == 404


def test_a_joint_activity_appears_in_each_participants_list(
    client_staff_b, office_a, office_b, speaking
):
    joint = ActivityFactory(lead_office=office_a, indicator=speaking)
    joint.participating_offices.add(office_b)
    response = client_staff_b.get(reverse("activities:list"))
    assert [a.pk for a in response.context["page"].object_list] == [joint.pk]
    assert client_staff_b.get(reverse("activities:detail", args=[joint.pk])).status_code == 200
    # a participant sees it but does not edit it: refused with the reason, as the API does
    response = client_staff_b.get(reverse("activities:edit", args=[joint.pk]))
    assert response.status_code == 403
    assert "Only the lead office changes this activity." in response.content.decode()


def test_editing_a_changed_activity_is_refused_and_shows_the_change(
    client, staff_a, supervisor_a, office_a, speaking
):
    client.force_login(staff_a)
    client.post(reverse("activities:create"), form_data(office_a, speaking, title="Speech"))
    activity = Activity.objects.get()
    # the supervisor saves first
    client.force_login(supervisor_a)
    client.post(
        reverse("activities:edit", args=[activity.pk]),
        {**form_data(office_a, speaking, title="Keynote"), "version": 1},
    )
    # the author's form still holds version 1
    client.force_login(staff_a)
    response = client.post(
        reverse("activities:edit", args=[activity.pk]),
        {**form_data(office_a, speaking, title="My speech"), "version": 1},
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this activity" in page
    assert "Keynote" in page
    activity.refresh_from_db()
    assert activity.title == "Keynote"


def test_a_verified_activity_is_locked_for_its_author(client_staff_a, office_a, speaking):
    activity = ActivityFactory(
        lead_office=office_a,
        indicator=speaking,
        status=Status.VERIFIED,
        occurred_on=dt.date(2026, 6, 3),
    )
    response = client_staff_a.get(reverse("activities:edit", args=[activity.pk]), follow=True)
    assert "verified and locked" in response.content.decode()


def test_remove_asks_for_a_reason_and_keeps_the_record(client_staff_a, office_a, speaking):
    activity = ActivityFactory(
        lead_office=office_a,
        indicator=speaking,
        status=Status.DRAFT,
        occurred_on=dt.date(2026, 6, 3),
    )
    url = reverse("activities:remove", args=[activity.pk])
    assert "Remove this activity?" in client_staff_a.get(url).content.decode()

    refused = client_staff_a.post(url, {"reason": "", "version": activity.version})
    assert "reason" in refused.context["form"].errors

    client_staff_a.post(url, {"reason": "Logged twice", "version": activity.version})
    activity.refresh_from_db()
    assert activity.removal_reason == "Logged twice"


# --- list, submit, review ------------------------------------------------------------------


def test_the_list_filters_totals_and_sorts(client_staff_a, office_a, unit_a, speaking, visits):
    ActivityFactory(
        lead_office=office_a, indicator=speaking, title="Alpha", occurred_on=dt.date(2026, 6, 1)
    )
    ActivityFactory(
        lead_office=unit_a,
        indicator=visits,
        title="Beta",
        occurred_on=dt.date(2026, 6, 2),
        status=Status.DRAFT,
    )
    ActivityFactory(
        lead_office=office_a, indicator=visits, title="Gamma", occurred_on=dt.date(2026, 5, 2)
    )

    everything = client_staff_a.get(reverse("activities:list"))
    assert [a.title for a in everything.context["page"].object_list] == ["Beta", "Alpha", "Gamma"]
    assert everything.context["totals"]["total"] == 3

    visits_only = client_staff_a.get(
        reverse("activities:list"), {"indicator": visits.pk, "sort": "title"}
    )
    assert [a.title for a in visits_only.context["page"].object_list] == ["Beta", "Gamma"]
    assert visits_only.context["totals"]["by_status"] == {"draft": 1, "submitted": 1}

    unit_only = client_staff_a.get(reverse("activities:list"), {"office": unit_a.pk})
    assert [a.title for a in unit_only.context["page"].object_list] == ["Beta"]

    text = client_staff_a.get(
        reverse("activities:list"), {"q": "gam", "date_from": "2026-05-01", "date_to": "2026-05-31"}
    )
    assert [a.title for a in text.context["page"].object_list] == ["Gamma"]


def test_the_list_says_when_periods_close(client_staff_a):
    page = client_staff_a.get(reverse("activities:list")).content.decode()
    assert "June 2026 is open for entry until 2026-07-10" in page
    assert "May 2026 closed for entry" in page


def test_submit_several_from_the_list(client_staff_a, office_a, speaking):
    drafts = ActivityFactory.create_batch(
        3,
        lead_office=office_a,
        indicator=speaking,
        status=Status.DRAFT,
        occurred_on=dt.date(2026, 6, 3),
    )
    client_staff_a.post(reverse("activities:submit"), {"ids": [a.pk for a in drafts]})
    assert Activity.objects.counted().count() == 3


def test_staff_b_cannot_submit_office_a_activities(client_staff_b, office_a, speaking):
    draft = ActivityFactory(
        lead_office=office_a,
        indicator=speaking,
        status=Status.DRAFT,
        occurred_on=dt.date(2026, 6, 3),
    )
    client_staff_b.post(reverse("activities:submit"), {"ids": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_the_review_queue_verifies_and_returns_in_bulk(
    client_supervisor_a, office_a, office_b, speaking
):
    mine = ActivityFactory.create_batch(
        3, lead_office=office_a, indicator=speaking, occurred_on=dt.date(2026, 6, 3)
    )
    ActivityFactory(lead_office=office_b, indicator=speaking)
    queue = client_supervisor_a.get(reverse("activities:review"))
    assert {a.pk for a in queue.context["page"].object_list} == {a.pk for a in mine}

    client_supervisor_a.post(
        reverse("activities:review"), {"ids": [mine[0].pk, mine[1].pk], "action": "verify"}
    )
    refused = client_supervisor_a.post(
        reverse("activities:review"), {"ids": [mine[2].pk], "action": "return", "comment": ""}
    )
    assert "comment" in refused.context["form"].errors
    client_supervisor_a.post(
        reverse("activities:review"),
        {"ids": [mine[2].pk], "action": "return", "comment": "Which outlet?"},
    )

    statuses = dict(Activity.objects.filter(lead_office=office_a).values_list("pk", "status"))
    assert sorted(statuses.values()) == ["returned", "verified", "verified"]


@pytest.mark.parametrize("persona", ["client_staff_a", "client_bureau"])
def test_only_supervisors_and_admins_open_the_queue(request, persona):
    assert request.getfixturevalue(persona).get(reverse("activities:review")).status_code == 403


def test_returned_activity_shows_the_comment_to_the_author(
    client_staff_a, supervisor_a, office_a, speaking
):
    activity = ActivityFactory(
        lead_office=office_a,
        indicator=speaking,
        status=Status.RETURNED,
        counted_since=None,
        reviewed_by=supervisor_a,
        review_comment="Add the outlet",
        occurred_on=dt.date(2026, 6, 3),
    )
    page = client_staff_a.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert "Returned to you" in page and "Add the outlet" in page


# --- periods ---------------------------------------------------------------------------------


def test_staff_request_a_reopening_and_an_admin_grants_it(client, staff_a, bureau_admin, office_a):
    client.force_login(staff_a)
    page = client.get(reverse("activities:periods"))
    assert "2026-04" in dict(page.context["request_form"].fields["month"].choices)
    client.post(
        reverse("activities:periods"),
        {"month": "2026-04", "office": office_a.pk, "reason": "Late report"},
    )
    reopening = PeriodReopening.objects.get()

    client.force_login(bureau_admin)
    assert client.get(reverse("activities:periods")).context["pending"] == [reopening]
    client.post(
        reverse("activities:reopening-decide", args=[reopening.pk]),
        {"decision": "grant", "open_until": "2026-06-30", "note": "OK"},
    )
    reopening.refresh_from_db()
    assert (reopening.state, reopening.open_until) == ("granted", dt.date(2026, 6, 30))


def test_only_admins_decide(client_staff_a, staff_a, office_a):
    reopening = PeriodReopening.objects.create(
        office=office_a, year=2026, month=4, reason="x", requested_by=staff_a
    )
    response = client_staff_a.post(
        reverse("activities:reopening-decide", args=[reopening.pk]),
        {"decision": "grant", "open_until": "2026-06-30"},
    )
    assert response.status_code == 403


# --- query counts ----------------------------------------------------------------------------


def test_list_query_count(client_staff_a, office_a, speaking, django_assert_num_queries):
    ActivityFactory.create_batch(5, lead_office=office_a, indicator=speaking)
    # session, user, user's scope, page count by month (the roll-up), what the office
    # joined (by indicator, status, office and month: for the count and the totals alike),
    # totals by indicator and status (the roll-up), indicators (for the totals), page rows,
    # reopenings (this month and last), then the filter's choices: indicators, regions,
    # offices; and the session save (savepoint, update, release)
    with django_assert_num_queries(16) as ctx:
        client_staff_a.get(reverse("activities:list"))
    n = len(ctx)
    ActivityFactory.create_batch(20, lead_office=office_a, indicator=speaking)
    with django_assert_num_queries(n):
        client_staff_a.get(reverse("activities:list"))


def test_review_queue_query_count(
    client_supervisor_a, office_a, speaking, django_assert_num_queries
):
    ActivityFactory.create_batch(5, lead_office=office_a, indicator=speaking)
    # session, user, user's scope, the filters' choices (offices, indicators, who
    # submitted), page count, page rows, the number waiting in the menu, session save x3
    with django_assert_num_queries(12) as ctx:
        client_supervisor_a.get(reverse("activities:review"))
    ActivityFactory.create_batch(20, lead_office=office_a, indicator=speaking)
    with django_assert_num_queries(len(ctx)):
        client_supervisor_a.get(reverse("activities:review"))


def test_periods_page_needs_sign_in(client):
    response = client.get(reverse("activities:periods"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_periods_page_query_count(
    client_staff_a, staff_a, office_a, unit_a, django_assert_num_queries
):
    PeriodReopening.objects.create(
        office=office_a, year=2026, month=3, reason="x", requested_by=staff_a
    )
    # session, user, reopenings of the last twelve months (one query for all), user's scope,
    # the request form's offices (count, choices, initial), the requests listed, and the
    # session save (savepoint, update, release)
    with django_assert_num_queries(11) as ctx:
        client_staff_a.get(reverse("activities:periods"))
    n = len(ctx)
    for month in (1, 2):
        PeriodReopening.objects.create(
            office=unit_a, year=2026, month=month, reason="y", requested_by=staff_a
        )
    with django_assert_num_queries(n):
        client_staff_a.get(reverse("activities:periods"))
