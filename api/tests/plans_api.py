"""What the planning endpoints' tests share: addresses and a plan's body. The plans they
start from are fixtures in api/tests/conftest.py."""

from __future__ import annotations

import datetime as dt

PLANS = "/api/v1/plans/"
DAY = dt.date(2026, 6, 22)  # a week after the frozen "today"


def plan_url(plan, action: str = "") -> str:
    return f"{PLANS}{plan.pk}/{action + '/' if action else ''}"


def body(office, indicator, region, **extra) -> dict:
    return {
        "lead_office": office.code,
        "indicator": indicator.code,
        "title": "Call on the department",
        "starts_on": DAY.isoformat(),
        "region": region.code,
        **extra,
    }
