"""The menu's flags for every page: what the signed-in person may open, asked of each app's
access module, so templates never restate a rule."""

from __future__ import annotations

from accounts import access as accounts_access
from activities import access as activities_access
from activities import selectors as activities_selectors
from offices import access as offices_access
from planning import access as planning_access
from reports import access as reports_access

from . import access as ops_access


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav": {
            "sees_all_offices": reports_access.can_see_all_offices(user),
            "logs_activities": activities_access.can_log_activities(user),
            "reviews": activities_access.can_use_review_queue(user),
            "has_reports": reports_access.can_have_reports(user),
            "sees_conflict_board": planning_access.can_see_conflict_board(user),
            "sees_gaps": planning_access.can_see_gaps(user),
            "reads_targets": offices_access.can_view_targets(user),
            "reads_audit_trail": ops_access.can_see_audit_trail(user),
            "sees_people": accounts_access.can_see_people(user),
            "plans": planning_access.can_see_calendar(user),
            # How many wait for a supervisor: counted only where the menu shows it.
            "waiting": (
                (lambda: activities_selectors.review_queue(user=user).count())
                if activities_access.can_use_review_queue(user)
                and not reports_access.can_see_all_offices(user)
                else None
            ),
        }
    }
