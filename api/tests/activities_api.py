"""What the tests of the activities endpoints share: their URLs, the bodies they send, the
activities they start from, and `written()`, what a refused request must leave as it was.

Today is 15 June 2026 in Hong Kong (conftest.py's `frozen`): June is open for entry, April
and May are closed. The personas' clients are api/tests/conftest.py's `api` fixture.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.urls import reverse

from activities.models import Activity, Status
from activities.tests.factories import ActivityFactory

HK = ZoneInfo("Asia/Hong_Kong")
NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=HK)  # conftest.py's FROZEN_AT
JUNE = dt.date(2026, 6, 3)  # open until 10 July
APRIL = dt.date(2026, 4, 3)  # closed at the end of 10 May
TITLE = "Visit to the Hubei Department of Commerce"


def list_url() -> str:
    return reverse("api:activity-list")


def url(activity, action: str = "detail") -> str:
    """/api/v1/activities/<id>/ and its actions (/submit/, /verify/, /return/, /remove/)."""
    pk = activity.pk if isinstance(activity, Activity) else activity
    detail = reverse("api:activity-detail", args=[pk])
    return detail if action == "detail" else f"{detail}{action}/"


def written() -> tuple:
    """Everything a refused request must leave as it was: every activity row, the rows of
    its related lists, and the history."""
    links = [
        sorted(getattr(Activity, name).through.objects.values_list("activity_id", target))
        for name, target in (
            ("counterparts", "counterpart_id"),
            ("participating_offices", "office_id"),
            ("partners", "counterpart_id"),
        )
    ]
    return list(Activity.objects.order_by("pk").values()), links, Activity.history.count()


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def activity(office, indicator, *, status=Status.DRAFT, occurred_on=JUNE, **extra) -> Activity:
    return ActivityFactory(
        lead_office=office, indicator=indicator, status=status, occurred_on=occurred_on, **extra
    )


def new_activity(**extra) -> dict:
    """The body of a create request: a draft of office A, in June."""
    return {
        "lead_office": "OFFA",
        "indicator": "visits",
        "occurred_on": JUNE.isoformat(),
        "title": TITLE,
        **extra,
    }


# What a create or an update refuses, with the field its error names.
BAD_BODIES = [
    # wrong types
    ("occurred_on", {"occurred_on": "yesterday"}),
    ("occurred_on", {"occurred_on": 20260603}),
    ("occurred_on", {"occurred_on": None}),
    ("title", {"title": None}),
    ("title", {"title": "   "}),
    ("indicator", {"indicator": ["visits"]}),
    ("counterparts", {"counterparts": "abc"}),
    ("counterparts", {"counterparts": [True]}),
    ("counterparts", {"counterparts": ["1"]}),
    ("counterparts", {"counterparts": {"id": 1}}),
    ("counterparts", {"counterparts": None}),
    ("participating_offices", {"participating_offices": "OFFB"}),  # a list as a string
    ("participating_offices", {"participating_offices": [1]}),
    # unknown codes and ids
    ("indicator", {"indicator": "nope"}),
    ("lead_office", {"lead_office": "NOPE"}),
    ("region", {"region": "990000"}),
    ("counterparts", {"counterparts": [999999]}),
    ("participating_offices", {"participating_offices": ["NOPE"]}),
    ("partners", {"partners": [999999]}),
    ("authority_level", {"authority_level": "imperial"}),
    # out of range
    ("occurred_on", {"occurred_on": "1999-12-31"}),
    ("occurred_on", {"occurred_on": "2101-01-01"}),
    ("occurred_on", {"occurred_on": "2026-06-16"}),  # tomorrow
    # oversized
    ("title", {"title": "x" * 201}),
    ("city", {"city": "x" * 101}),
    ("notes", {"notes": "x" * 5001}),
    ("counterparts", {"counterparts": list(range(1, 52))}),
    ("participating_offices", {"participating_offices": [f"X{n}" for n in range(51)]}),
    # the rules of the services
    ("participating_offices", {"participating_offices": ["OFFA"]}),  # the lead office itself
]
