"""The demo as a whole, for `seed_demo` (`make run`, never production): the users, a history
of activities (ops.demo), then plans, a conflict, progress notes and parent authorities
(ops.demo_plans). Each part is made only when there is none yet: safe to run twice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from activities.models import Activity

from .demo import demo_activities_create, demo_activities_delete, demo_users_create
from .demo_plans import demo_counterpart_parents, demo_plans_create, demo_plans_delete


@dataclass
class SeedResult:
    users_created: int = 0
    activities_created: int = 0
    skipped_activities: bool = False
    plans_created: int = 0
    conflicts_created: int = 0
    notes_created: int = 0


def demo_seed(
    *, today: dt.date, users_only: bool = False, scale: float = 1.0, reset: bool = False
) -> SeedResult:
    result = SeedResult(users_created=demo_users_create())
    if users_only:
        return result
    if reset:
        demo_plans_delete()  # first: a done plan keeps its activity from being deleted
        demo_activities_delete()
    demo_counterpart_parents()
    if Activity.objects.exists():
        result.skipped_activities = True
    else:
        result.activities_created = demo_activities_create(today=today, scale=scale)
    plans = demo_plans_create(today=today)
    result.plans_created = plans.plans
    result.conflicts_created = plans.conflicts
    result.notes_created = plans.notes
    return result
