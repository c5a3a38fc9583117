"""Plan conflicts and progress notes over the API: who reads them, who closes and
replies, the versions a change names, and the queries a page costs."""

import pytest
from django.utils import timezone

from api.tests.clients import if_match
from offices.tests.factories import IndicatorFactory, OfficeFactory
from planning.models import PlanConflict, PlanStatus, ProgressNote
from planning.tests.factories import PlanFactory, ProgressNoteFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

CONFLICTS = "/api/v1/plan-conflicts/"
NOTES = "/api/v1/progress-notes/"


def conflict_of(plan, office, user, **extra):
    return PlanConflict.objects.create(
        plan=plan,
        office=office,
        kinds=["region"],
        message=f"{office.code}'s region",
        reason="Invited.",
        created_by=user,
        **extra,
    )


@pytest.fixture
def conflicts(plan_a, office_a, office_b, indicator, hebei, staff_a):
    """Office A's plan warned office B; a third office's plan warned a fourth: none of
    offices A and B's business."""
    third, fourth = OfficeFactory(code="OFFC"), OfficeFactory(code="OFFD")
    theirs = PlanFactory(lead_office=third, indicator=indicator, region=hebei)
    return {
        "ab": conflict_of(plan_a, office_b, staff_a),
        "cd": conflict_of(theirs, fourth, staff_a),
    }


def listed(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# --- conflicts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "seen"),
    [
        ("staff_a", {"ab"}),
        ("supervisor_b", {"ab"}),
        ("bureau_viewer", {"ab", "cd"}),
        ("bureau_admin", {"ab", "cd"}),
    ],
)
def test_conflicts_are_seen_by_the_offices_concerned_and_the_bureau(api, conflicts, persona, seen):
    client = api(persona)
    assert set(listed(client.get(CONFLICTS))) == {conflicts[key].pk for key in seen}
    for key, conflict in conflicts.items():
        expected = 200 if key in seen else 404
        assert client.get(f"{CONFLICTS}{conflict.pk}/").status_code == expected


def test_a_conflict_as_read(api, conflicts, plan_a):
    data = api("staff_b").get(f"{CONFLICTS}{conflicts['ab'].pk}/").json()
    assert (data["plan"], data["lead_office"], data["office"]) == (plan_a.pk, "OFFA", "OFFB")
    assert (data["reason"], data["is_open"], data["closed_at"]) == ("Invited.", True, None)


def test_open_and_closed(api, conflicts, plan_a, bureau_admin):
    client = api("bureau_viewer")
    assert set(listed(client.get(CONFLICTS, {"state": "open"}))) == {
        c.pk for c in conflicts.values()
    }
    plan_a.status = PlanStatus.CANCELLED
    plan_a.cancel_reason = "travel"
    plan_a.cancelled_at = timezone.now()
    plan_a.save()
    assert listed(client.get(CONFLICTS, {"state": "open"})) == [conflicts["cd"].pk]
    assert listed(client.get(CONFLICTS, {"state": "closed"})) == [conflicts["ab"].pk]
    assert client.get(CONFLICTS, {"state": "maybe"}).status_code == 400


def test_bureau_admins_close_a_conflict_with_a_note(api, conflicts):
    url = f"{CONFLICTS}{conflicts['ab'].pk}/close/"
    for persona in ("staff_a", "supervisor_b", "bureau_viewer"):
        refused = api(persona).post(url, {"note": "Talk to each other."})
        assert refused.status_code == 403, persona
        assert "Bureau admins" in refused.json()["detail"]
    client = api("bureau_admin")
    assert set(client.post(url, {}).json()) == {"note"}
    closed = client.post(url, {"note": "Talk to each other."})
    assert closed.status_code == 200
    data = closed.json()
    assert (data["closed_how"], data["closed_by"], data["is_open"]) == ("bureau", "admin", False)
    again = client.post(url, {"note": "Again."})
    assert again.status_code == 400
    assert api("staff_a").post(f"{CONFLICTS}{conflicts['cd'].pk}/close/").status_code == 404


def test_the_conflicts_list_costs_the_same_for_any_number(
    api, plan_a, office_b, staff_a, django_assert_num_queries
):
    for _ in range(5):
        conflict = conflict_of(PlanFactory(lead_office=plan_a.lead_office), office_b, staff_a)
        conflict.other_plans.add(plan_a)
    client = api("staff_b")
    # token + its user, the token's last use, the user's office scope, count, the page
    # with plans, offices and people, its other plans, its other activities
    with django_assert_num_queries(7):
        assert len(listed(client.get(CONFLICTS))) == 5


# --- progress notes ---------------------------------------------------------------------------


@pytest.fixture
def notes(office_a, office_b, indicator, staff_a, staff_b):
    return {
        "a": ProgressNoteFactory(office=office_a, indicator=indicator, written_by=staff_a),
        "b": ProgressNoteFactory(office=office_b, indicator=indicator, written_by=staff_b),
    }


@pytest.mark.parametrize(
    ("persona", "seen"),
    [
        ("staff_a", {"a"}),
        ("supervisor_a", {"a"}),
        ("staff_b", {"b"}),
        ("bureau_viewer", {"a", "b"}),
    ],
)
def test_notes_are_read_by_who_sees_the_offices_figures(api, notes, persona, seen):
    client = api(persona)
    assert set(listed(client.get(NOTES))) == {notes[key].pk for key in seen}
    for key, note in notes.items():
        assert client.get(f"{NOTES}{note.pk}/").status_code == (200 if key in seen else 404)


def test_note_filters(api, notes, office_a, indicator):
    other = IndicatorFactory(code="talks")
    june = ProgressNoteFactory(
        office=office_a, indicator=other, month=6, written_by=notes["a"].written_by
    )
    client = api("bureau_admin")
    assert set(listed(client.get(NOTES, {"office": "OFFA"}))) == {notes["a"].pk, june.pk}
    assert listed(client.get(NOTES, {"indicator": "talks"})) == [june.pk]
    assert listed(client.get(NOTES, {"year": 2026, "month": 6})) == [june.pk]
    assert listed(client.get(NOTES, {"year": 2025})) == []
    assert client.get(NOTES, {"month": 13}).status_code == 400


def test_staff_write_their_offices_note(api, office_a, indicator):
    payload = {
        "office": "OFFA",
        "indicator": "visits",
        "year": 2026,
        "month": 6,
        "text": "On track",
    }
    created = api("staff_a").post(NOTES, payload)
    assert created.status_code == 201, created.content
    assert (created.json()["version"], created["ETag"]) == (1, '"1"')
    # Written already: change it with its version.
    again = api("supervisor_a").post(NOTES, {**payload, "text": "Behind"})
    assert again.status_code == 409
    assert again.json()["current_version"] == 1
    assert ProgressNote.objects.get().text == "On track"


@pytest.mark.parametrize("persona", ["staff_b", "bureau_viewer", "bureau_admin"])
def test_no_note_for_another_office(api, persona, office_a, indicator):
    payload = {"office": "OFFA", "indicator": "visits", "year": 2026, "month": 6, "text": "Mine"}
    response = api(persona).post(NOTES, payload)
    assert response.status_code in (400, 403)
    if persona.startswith("bureau"):
        assert response.status_code == 403
    else:
        assert set(response.json()) == {"office"}
    assert not ProgressNote.objects.exists()


def test_a_note_is_changed_with_the_version_read(api, notes):
    url = f"{NOTES}{notes['a'].pk}/"
    client = api("supervisor_a")
    assert client.patch(url, {"text": "Better"}).status_code == 428
    changed = client.patch(url, {"text": "Better", "version": 1})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["text"], changed.json()["written_by"]) == ("Better", "supervisor_a")
    stale = api("staff_a").put(url, {"text": "Worse", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["changed_by"] == "supervisor_a"
    assert stale.json()["changes"] == [
        {"field": "text", "label": "note", "old": notes["a"].text, "new": "Better"}
    ]
    assert api("staff_a").put(url, {"text": "Worse"}, **if_match(1)).status_code == 412
    for persona in ("staff_b", "supervisor_b"):
        assert api(persona).patch(url, {"text": "B", "version": 2}).status_code == 404
    refused = api("bureau_admin").patch(url, {"text": "B", "version": 2})
    assert refused.status_code == 403


def test_bureau_admins_reply(api, notes):
    url = f"{NOTES}{notes['a'].pk}/reply/"
    assert api("staff_a").post(url, {"reply": "Fine", "version": 1}).status_code == 403
    assert api("bureau_viewer").post(url, {"reply": "Fine", "version": 1}).status_code == 403
    client = api("bureau_admin")
    assert client.post(url, {"reply": "Fine"}).status_code == 428
    replied = client.post(url, {"reply": "Fine", "version": 1})
    assert replied.status_code == 200
    assert (replied.json()["reply"], replied.json()["replied_by"]) == ("Fine", "admin")
    assert client.post(url, {"reply": "Again", "version": 1}).status_code == 409


def test_the_notes_list_costs_the_same_for_any_number(
    api, office_a, staff_a, django_assert_num_queries
):
    for month in range(1, 7):
        ProgressNoteFactory(office=office_a, month=month, written_by=staff_a)
    client = api("staff_a")
    # token + its user, the token's last use, the user's office scope, count, the page
    # with offices, indicators and people
    with django_assert_num_queries(5):
        assert len(listed(client.get(NOTES))) == 6
