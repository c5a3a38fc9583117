"""The actions of /api/v1/activities/<id>/: submit, verify, return and remove, each with its
rules and its refusals."""

from __future__ import annotations

import pytest

from activities.models import Activity, Status
from api.tests.activities_api import NOW, activity, url, written

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def test_submit_makes_a_draft_count(api, draft, staff_a):
    response = api("staff_a").post(url(draft, "submit"))
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["counts"], body["version"]) == ("submitted", True, 2)
    draft.refresh_from_db()
    assert (draft.status, draft.counted_since, draft.updated_by) == (Status.SUBMITTED, NOW, staff_a)


def test_a_returned_activity_is_submitted_again(api, office_a, indicator):
    returned = activity(office_a, indicator, status=Status.RETURNED, review_comment="Which?")
    assert api("staff_a").post(url(returned, "submit")).status_code == 200
    assert Activity.objects.get(pk=returned.pk).status == Status.SUBMITTED


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.VERIFIED])
def test_submit_refuses_what_is_already_submitted(api, office_a, indicator, status):
    target = activity(office_a, indicator, status=status)
    before = written()
    response = api("staff_a").post(url(target, "submit"))
    assert response.status_code == 400
    assert f"it is {status.label.lower()}" in " ".join(response.json()["non_field_errors"])
    assert written() == before


def test_a_supervisor_verifies(api, submitted, supervisor_a):
    response = api("supervisor_a").post(url(submitted, "verify"))
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["reviewed_by"], body["counts"]) == (
        "verified",
        "supervisor_a",
        True,
    )
    submitted.refresh_from_db()
    assert (submitted.status, submitted.reviewed_by, submitted.reviewed_at) == (
        Status.VERIFIED,
        supervisor_a,
        NOW,
    )


@pytest.mark.parametrize("status", [Status.DRAFT, Status.RETURNED, Status.VERIFIED])
def test_verify_refuses_what_is_not_waiting(api, office_a, indicator, status):
    target = activity(office_a, indicator, status=status)
    before = written()
    response = api("supervisor_a").post(url(target, "verify"))
    assert response.status_code == 400
    assert "not waiting for verification" in " ".join(response.json()["non_field_errors"])
    assert written() == before


def test_a_supervisor_returns_with_a_comment(api, submitted, supervisor_a):
    response = api("supervisor_a").post(url(submitted, "return"), {"comment": " Which outlet? "})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["counts"], body["review_comment"]) == (
        "returned",
        False,
        "Which outlet?",
    )
    submitted.refresh_from_db()
    assert (submitted.status, submitted.counted_since, submitted.reviewed_by) == (
        Status.RETURNED,
        None,
        supervisor_a,
    )


@pytest.mark.parametrize("body", [{}, {"comment": ""}, {"comment": "   "}, {"comment": 5 * [1]}])
def test_return_needs_a_comment(api, submitted, body):
    before = written()
    response = api("supervisor_a").post(url(submitted, "return"), body)
    assert response.status_code == 400
    assert "comment" in response.json()
    assert written() == before


def test_return_refuses_a_draft(api, draft):
    before = written()
    response = api("supervisor_a").post(url(draft, "return"), {"comment": "Which outlet?"})
    assert response.status_code == 400
    assert written() == before


def test_staff_remove_a_draft_with_a_reason(api, draft, staff_a):
    response = api("staff_a").post(url(draft, "remove"), {"reason": "Logged twice", "version": 1})
    assert response.status_code == 200
    body = response.json()
    assert (body["removed_by"], body["removal_reason"], body["counts"]) == (
        "staff_a",
        "Logged twice",
        False,
    )
    draft.refresh_from_db()
    assert (draft.removed_at, draft.removed_by, draft.removal_reason) == (
        NOW,
        staff_a,
        "Logged twice",
    )


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "  "}, {"reason": "x" * 1001}])
def test_remove_needs_a_reason(api, draft, body):
    before = written()
    response = api("staff_a").post(url(draft, "remove"), body)
    assert response.status_code == 400
    assert "reason" in response.json()
    assert written() == before


def test_staff_do_not_remove_what_is_submitted_but_a_supervisor_does(api, submitted):
    before = written()
    refused = api("staff_a").post(
        url(submitted, "remove"), {"reason": "Logged twice", "version": 1}
    )
    assert refused.status_code == 403
    assert "submitted" in refused.json()["detail"]
    assert written() == before

    removed = api("supervisor_a").post(url(submitted, "remove"), {"reason": "Twice", "version": 1})
    assert removed.status_code == 200
    assert not Activity.objects.counted().exists()


@pytest.mark.parametrize("action", ["verify", "return"])
def test_a_removed_activity_is_not_reviewed(api, submitted, supervisor_a, action):
    Activity.objects.filter(pk=submitted.pk).update(
        removed_at=NOW, removed_by=supervisor_a, removal_reason="Logged twice"
    )
    before = written()
    response = api("supervisor_a").post(url(submitted, action), {"comment": "Which outlet?"})
    assert response.status_code == 403
    assert written() == before


def test_a_removed_activity_is_not_removed_again(api, draft):
    remover = api("staff_a")
    assert remover.post(url(draft, "remove"), {"reason": "Twice", "version": 1}).status_code == 200
    before = written()
    again = remover.post(url(draft, "remove"), {"reason": "Again", "version": 2})
    assert again.status_code == 403
    assert "removed" in again.json()["detail"]
    assert remover.post(url(draft, "submit")).status_code == 403
    assert written() == before
