"""Reminders of planning: confirmed plans that have happened and wait for what happened to
be logged (docs/domain.md, "Planning"; docs/operations.md, "Reminders").

A plan is due once it is confirmed, its last day (`ends_on`) is before today's Hong Kong
date, and no activity has been logged from it. A planned plan is left out (nobody
confirmed it would happen), and so are done and cancelled ones.

Who is reminded of it:

- the person who created it, while they are active, have an e-mail address and an office
  role (a bureau admin who planned for an office is not reminded: the office is);
- the supervisors of its lead office, as for the verification queue: a supervisor of a
  top-level office also for its units' plans, a unit's supervisor for the unit's. They
  confirmed the plan, and they are the ones who notice when its author has moved on.

Each of them, unless they turned the reminder off. The items are found in two queries
whatever the number of plans; what a digest says about them is accounts.reminders.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from accounts.models import OFFICE_ROLES, Role, User
from accounts.reminders import LISTED, PLANS_TO_LOG, receives

from .models import Plan, PlanStatus


def plans_to_log(*, today: dt.date):
    """Confirmed plans whose last day is before `today` (a Hong Kong date), not logged."""
    return Plan.objects.filter(
        status=PlanStatus.CONFIRMED, activity__isnull=True, ends_on__lt=today
    )


def plans_to_log_due(*, today: dt.date) -> dict[int, dict]:
    """Per person: how many plans they are reminded to log, and the first LISTED of them
    by date and title. Two queries: the plans, then the people who receive the reminder."""
    plans = list(
        plans_to_log(today=today)
        .order_by("starts_on", "title", "pk")
        .values_list(
            "pk", "title", "starts_on", "created_by_id", "lead_office_id", "lead_office__parent_id"
        )
    )
    if not plans:
        return {}
    creators = {row[3] for row in plans}
    offices = {row[4] for row in plans} | {row[5] for row in plans if row[5]}
    people = User.objects.filter(
        (receives(PLANS_TO_LOG, OFFICE_ROLES) & Q(pk__in=creators))
        | (receives(PLANS_TO_LOG, [Role.OFFICE_SUPERVISOR]) & Q(office_id__in=offices))
    )
    creator_office: dict[int, int] = {}
    supervisors_of: dict[int, list[int]] = {}
    for pk, role, office_id in people.order_by("pk").values_list("pk", "role", "office_id"):
        if pk in creators:
            creator_office[pk] = office_id
        if role == Role.OFFICE_SUPERVISOR and office_id in offices:
            supervisors_of.setdefault(office_id, []).append(pk)

    due: dict[int, dict] = {}
    for pk, title, starts_on, created_by_id, lead_office_id, parent_id in plans:
        reminded = set(supervisors_of.get(lead_office_id, ()))
        reminded.update(supervisors_of.get(parent_id, ()))
        # The author, while the plan is still their office's (one who moved to another
        # office no longer sees it, nor its title).
        if created_by_id in creator_office and creator_office[created_by_id] in (
            lead_office_id,
            parent_id,
        ):
            reminded.add(created_by_id)
        for user_id in sorted(reminded):
            item = due.setdefault(user_id, {"count": 0, "plans": []})
            item["count"] += 1
            if len(item["plans"]) < LISTED:
                item["plans"].append({"id": pk, "title": title, "starts_on": starts_on.isoformat()})
    return due


def due_by_kind(*, today: dt.date) -> dict[str, dict[int, dict]]:
    """Every kind of planning's reminders: kind -> person's id -> what is due."""
    return {PLANS_TO_LOG: plans_to_log_due(today=today)}
