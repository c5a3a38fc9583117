"""Planning on other apps' pages: the plan an activity was logged from, for those who may
see the plan in full (an office added to the activity later may not)."""

from django import template

from planning import access
from planning.models import Plan

register = template.Library()


@register.simple_tag(takes_context=True)
def plan_of(context, activity) -> Plan | None:
    try:
        plan = activity.plan
    except Plan.DoesNotExist:
        return None
    user = context["request"].user
    return plan if access.sees_in_full(user, plan) else None
