"""Version conflicts on /api/v1/activities/: nobody overwrites a change they have not seen
(409 with the changes, 412 for a stale If-Match, 428 without a version), updates and
removals alike (docs/domain.md, "Edits by many people at once")."""

from __future__ import annotations

import pytest

from api.tests.activities_api import TITLE, new_activity, url, written
from api.tests.clients import if_match

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def read_by_two(api, draft):
    """The author and the supervisor both read version 1; the supervisor saves first."""
    author, supervisor = api("staff_a"), api("supervisor_a")
    assert author.get(url(draft))["ETag"] == supervisor.get(url(draft))["ETag"] == '"1"'
    saved = supervisor.patch(url(draft), {"title": "Keynote", "version": 1})
    assert saved.status_code == 200
    return author


def test_a_stale_version_is_refused_with_409_and_the_changes(read_by_two, draft):
    before = written()

    response = read_by_two.patch(url(draft), {"title": "My speech", "notes": "Mine", "version": 1})

    assert response.status_code == 409
    assert response["ETag"] == '"2"'
    assert response.json() == {
        "detail": response.json()["detail"],
        "code": "stale_version",
        "current_version": 2,
        "changed_by": "supervisor_a",
        "changed_at": "2026-06-15T10:00:00+08:00",
        "changes": [{"field": "title", "label": "title", "old": TITLE, "new": "Keynote"}],
    }
    assert "Someone else changed this activity" in response.json()["detail"]
    assert written() == before
    draft.refresh_from_db()
    assert (draft.title, draft.notes) == ("Keynote", "")


def test_the_conflict_lists_changed_related_lists_by_name(api, draft, commerce):
    author, supervisor = api("staff_a"), api("supervisor_a")
    saved = supervisor.patch(url(draft), {"counterparts": [commerce.pk], "version": 1})
    assert saved.status_code == 200
    before = written()

    response = author.patch(url(draft), {"title": "My speech", "version": 1})

    assert response.status_code == 409
    assert response.json()["changes"] == [
        {
            "field": "counterparts",
            "label": "counterparts",
            "old": "—",
            "new": "Department of Commerce of Hubei Province",
        }
    ]
    assert written() == before


@pytest.mark.parametrize("etag", ['"1"', 'W/"1"', '"0"'])
def test_a_stale_if_match_is_refused_with_412(read_by_two, draft, etag):
    before = written()
    response = read_by_two.patch(url(draft), {"title": "My speech"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    assert (response.json()["code"], response.json()["current_version"]) == ("stale_version", 2)
    assert written() == before


@pytest.mark.parametrize("method", ["put", "patch"])
def test_an_update_without_a_version_is_refused_with_428(api, draft, method):
    before = written()
    response = api("staff_a").send(method, url(draft), new_activity(title="Keynote"))
    assert response.status_code == 428
    assert "version" in response.json()["detail"]
    assert written() == before


@pytest.mark.parametrize("etag", ["1", "abc", '"1a"', '"12345678901"'])
def test_an_if_match_that_is_not_our_etag_is_refused(api, draft, etag):
    before = written()
    response = api("staff_a").patch(url(draft), {"title": "Keynote"}, HTTP_IF_MATCH=etag)
    if etag == "1":  # a bare version is read as the ETag it names
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert "If-Match" in response.json()
    assert written() == before


def test_the_current_version_saves(read_by_two, draft):
    by_body = read_by_two.patch(url(draft), {"title": "My speech", "version": 2})
    assert (by_body.status_code, by_body["ETag"]) == (200, '"3"')
    by_header = read_by_two.patch(url(draft), {"notes": "Mine"}, **if_match(3))
    assert (by_header.status_code, by_header["ETag"]) == (200, '"4"')
    draft.refresh_from_db()
    assert (draft.title, draft.notes, draft.version) == ("My speech", "Mine", 4)


def test_remove_with_a_stale_version_is_refused_with_409_and_the_changes(read_by_two, draft):
    before = written()
    response = read_by_two.post(url(draft, "remove"), {"reason": "Twice", "version": 1})
    assert response.status_code == 409
    assert response["ETag"] == '"2"'
    assert response.json() == {
        "detail": response.json()["detail"],
        "code": "stale_version",
        "current_version": 2,
        "changed_by": "supervisor_a",
        "changed_at": "2026-06-15T10:00:00+08:00",
        "changes": [{"field": "title", "label": "title", "old": TITLE, "new": "Keynote"}],
    }
    assert "Someone else changed this activity" in response.json()["detail"]
    assert written() == before


@pytest.mark.parametrize("etag", ['"1"', 'W/"1"'])
def test_remove_with_a_stale_if_match_is_refused_with_412_and_the_changes(read_by_two, draft, etag):
    before = written()
    response = read_by_two.post(url(draft, "remove"), {"reason": "Twice"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    assert response["ETag"] == '"2"'
    body = response.json()
    assert (body["code"], body["current_version"], body["changed_by"]) == (
        "stale_version",
        2,
        "supervisor_a",
    )
    assert body["changes"] == [{"field": "title", "label": "title", "old": TITLE, "new": "Keynote"}]
    assert written() == before


@pytest.mark.parametrize("persona", ["staff_a", "supervisor_a", "bureau_admin"])
@pytest.mark.parametrize("named", ["body", "If-Match"])
def test_remove_without_a_version_is_refused_with_428_and_with_it_removes(
    api, draft, persona, named, request
):
    remover = api(persona)
    before = written()
    refused = remover.post(url(draft, "remove"), {"reason": "Logged twice"})
    assert refused.status_code == 428
    assert "version" in refused.json()["detail"]
    assert written() == before

    if named == "body":
        removed = remover.post(url(draft, "remove"), {"reason": "Logged twice", "version": 1})
    else:
        removed = remover.post(url(draft, "remove"), {"reason": "Logged twice"}, **if_match(1))
    assert (removed.status_code, removed["ETag"]) == (200, '"2"')
    draft.refresh_from_db()
    assert (draft.removed_by, draft.removal_reason) == (
        request.getfixturevalue(persona),
        "Logged twice",
    )


def test_remove_names_what_changed_before_what_the_change_forbids(api, draft):
    """The author read a draft; the supervisor submitted it since. Removing the version
    read is a conflict that says so, not the refusal a submitted activity would get."""
    assert api("supervisor_a").post(url(draft, "submit")).status_code == 200
    before = written()
    response = api("staff_a").post(url(draft, "remove"), {"reason": "Twice", "version": 1})
    assert response.status_code == 409
    assert [c["field"] for c in response.json()["changes"]] == ["status"]
    assert written() == before
