"""`{{ user|person }}`: how a person is named on every page (full name, else username)."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def person(user) -> str:
    if user is None:
        return _("the system")
    return user.get_full_name() or user.get_username()
