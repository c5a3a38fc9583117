"""The roster of people (docs/guide-bureau-admin.md, "People"): who is on it for whom
(`access.people_visible_to`), its search and filters."""

from __future__ import annotations

import django_filters
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .access import people_visible_to
from .models import Role, User

ACTIVE, INVITED, DEACTIVATED = "active", "invited", "deactivated"


def _offices():
    return User._meta.get_field("office").related_model.objects  # no import upward


def roster(user) -> QuerySet[User]:
    """The people `user` may see, with their office, in the order of the roster."""
    return people_visible_to(user).order_by("last_name", "first_name", "username")


class RosterFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name, username or e-mail"), method="filter_q", max_length=100
    )
    office = django_filters.ModelChoiceFilter(
        label=_("Office or unit"),
        queryset=_offices().none(),
        empty_label=_("All offices and units"),
        method="filter_office",
    )
    role = django_filters.ChoiceFilter(
        label=_("Role"), choices=Role.choices, empty_label=_("All roles")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[
            (ACTIVE, _("Active")),
            (INVITED, _("Invited, no password yet")),
            (DEACTIVATED, _("Deactivated")),
        ],
        empty_label=_("Anyone"),
        method="filter_status",
    )

    class Meta:
        model = User
        fields = ["q", "office", "role", "status"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        offices = _offices().select_related("parent").order_by("sort_order", "code")
        if not user.is_bureau_admin:
            offices = offices.filter(pk__in=user.office_scope_ids())
        self.filters["office"].queryset = offices
        self.form.fields["office"].queryset = offices

    def filter_q(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(username__icontains=word)
                | Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
            )
        return queryset

    def filter_office(self, queryset, name, value):
        """An office with its units (and, for Guangdong, the centre): `scope_ids_of`."""
        return queryset.filter(office_id__in=_offices().scope_ids_of(value.pk))

    def filter_status(self, queryset, name, value):
        unusable = Q(password__startswith=UNUSABLE_PASSWORD_PREFIX)
        if value == DEACTIVATED:
            return queryset.filter(is_active=False)
        if value == INVITED:
            return queryset.filter(unusable, is_active=True)
        return queryset.filter(is_active=True).exclude(unusable)
