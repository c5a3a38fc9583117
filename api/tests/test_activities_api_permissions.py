"""Who may call the activities endpoints: anonymous requests answer 401, a session write
needs its CSRF token, and each persona may do each write or gets 401, 403 or 404 with
nothing written."""

from __future__ import annotations

import pytest
from django.test import Client

from activities.models import Activity, Status
from api.tests.activities_api import activity, list_url, new_activity, url, written

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


# --- authentication ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "action", "needs_pk"),
    [
        ("get", "list", False),
        ("post", "list", False),
        ("get", "detail", True),
        ("put", "detail", True),
        ("patch", "detail", True),
        ("post", "submit", True),
        ("post", "verify", True),
        ("post", "return", True),
        ("post", "remove", True),
    ],
)
def test_anonymous_requests_are_refused_with_401(api, draft, method, action, needs_pk):
    before = written()
    path = url(draft, action) if needs_pk else list_url()
    anonymous = api("anonymous")
    response = (
        anonymous.get(path) if method == "get" else anonymous.send(method, path, new_activity())
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert written() == before


def test_a_session_write_without_the_csrf_token_is_refused(staff_a, office_a, indicator):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff_a)
    response = browser.post(list_url(), new_activity(), content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert Activity.objects.count() == 0


# --- writes: who may do what --------------------------------------------------------------------

ACTIONS = {
    # action: (method, url action, status of the activity, body, what a success changed)
    "put": (
        "put",
        "detail",
        Status.DRAFT,
        new_activity(title="Keynote", version=1),
        lambda a: a.title == "Keynote",
    ),
    "patch": (
        "patch",
        "detail",
        Status.DRAFT,
        {"title": "Keynote", "version": 1},
        lambda a: a.title == "Keynote",
    ),
    "submit": ("post", "submit", Status.DRAFT, {}, lambda a: a.status == Status.SUBMITTED),
    "verify": ("post", "verify", Status.SUBMITTED, {}, lambda a: a.status == Status.VERIFIED),
    "return": (
        "post",
        "return",
        Status.SUBMITTED,
        {"comment": "Which outlet?"},
        lambda a: a.status == Status.RETURNED,
    ),
    "remove": (
        "post",
        "remove",
        Status.DRAFT,
        {"reason": "Logged twice", "version": 1},
        lambda a: a.removed_at is not None,
    ),
}
ALL = dict.fromkeys(ACTIONS, 200)
PERSONAS = [
    # persona, office B joined the activity, status code per action
    ("anonymous", False, dict.fromkeys(ACTIONS, 401)),
    ("staff_b", False, dict.fromkeys(ACTIONS, 404)),
    ("supervisor_b", False, dict.fromkeys(ACTIONS, 404)),
    ("unit_staff", False, dict.fromkeys(ACTIONS, 404)),  # office A's own: not the unit's
    ("bureau_viewer", False, dict.fromkeys(ACTIONS, 403)),
    # a participating office sees a joint activity but does not change it
    ("staff_b", True, dict.fromkeys(ACTIONS, 403)),
    ("supervisor_b", True, dict.fromkeys(ACTIONS, 403)),
    ("staff_a", False, {**ALL, "verify": 403, "return": 403}),
    ("supervisor_a", False, ALL),
    ("bureau_admin", False, ALL),
]


@pytest.mark.parametrize(
    ("persona", "joined", "action", "expected"),
    [
        pytest.param(persona, joined, action, codes[action], id=f"{action}-{persona}-{joined=}")
        for persona, joined, codes in PERSONAS
        for action in ACTIONS
    ],
)
def test_who_may_write(
    api, office_a, office_b, indicator, supervisor_b, unit_staff, persona, joined, action, expected
):
    method, url_action, status, body, done = ACTIONS[action]
    target = activity(office_a, indicator, status=status)
    if joined:
        target.participating_offices.add(office_b)
    before = written()

    response = api(persona).send(method, url(target, url_action), body)

    assert response.status_code == expected, response.content
    target.refresh_from_db()
    if expected == 200:
        assert done(target)
        assert response.json()["version"] == target.version == 2
        assert response["ETag"] == '"2"'
    else:
        assert written() == before
