"""What deactivating an office, unit, indicator or counterpart does and does not do, in the
words an admin reads before saving (docs/domain.md, "What counts").

Inactive means closed for new entries and gone from the choices people pick from. It never
changes a figure: what was counted keeps counting, rolled up as before, on every dashboard,
report, published-report comparison and list, "as of" any day.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Counterpart, Indicator, Office

ACTIVE_HELP = gettext_lazy(
    "Untick to close it for new entries: it leaves the lists people choose from. Nothing "
    "already recorded changes: its activities keep counting in every figure, past and "
    "present. You are asked to confirm before it is saved."
)


def deactivation_notice(obj: Office | Indicator | Counterpart) -> str:
    """What deactivating `obj` will and will not do, with its own numbers (a few queries)."""
    if isinstance(obj, Office):
        activities = obj.led_activities.count()
        will = _(
            "No one can log or import new activities for %(name)s, and it leaves the offices "
            "people choose from."
        ) % {"name": obj.name}
        if obj.parent_id:
            wont = _(
                "It changes no figure: its %(count)d activities keep counting for it and, as "
                "before, for %(parent)s and the bureau, on every dashboard, report and list, "
                "as of any day."
            ) % {"count": activities, "parent": obj.parent.name}
        else:
            wont = _(
                "It changes no figure: its %(count)d activities and its units' keep counting "
                "for it and for the bureau, on every dashboard, report and list, as of any "
                "day."
            ) % {"count": activities}
        wont += " " + _(
            "Its %(users)d users keep their accounts: change their office or deactivate "
            "them separately."
        ) % {"users": obj.users.count()}
        open_units = [u.name for u in obj.units.filter(is_active=True)] if not obj.parent_id else []
        if open_units:
            wont += " " + _("Its units stay open unless you deactivate them too: %(units)s.") % {
                "units": ", ".join(open_units)
            }
    elif isinstance(obj, Indicator):
        will = _(
            "No one can log or import new activities for “%(name)s”, and it leaves the "
            "activity form."
        ) % {"name": obj.name}
        wont = _(
            "It changes no figure: its %(count)d activities keep counting, and it stays on "
            "the dashboards and reports of every year in which it has activities or a "
            "target."
        ) % {"count": obj.activities.count()}
    else:
        will = _(
            "“%(name)s” leaves the directory's search and the counterpart choices of new "
            "activities."
        ) % {"name": obj.name}
        wont = _("The %(count)d activities that name it keep it, and no figure changes.") % {
            "count": obj.activities.count() + obj.partnered_activities.count()
        }
    return f"{will} {wont}"


class ConfirmDeactivationForm(forms.ModelForm):
    """An admin form that asks for a confirmation, with what it means, before an active
    office, unit, indicator or counterpart is saved as inactive."""

    confirm_deactivation = forms.BooleanField(
        label=gettext_lazy("I understand what deactivating does"),
        required=False,
        help_text=gettext_lazy("Only asked when “Active” is unticked."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "is_active" in self.fields:
            self.fields["is_active"].help_text = ACTIVE_HELP

    def clean(self):
        cleaned = super().clean()
        deactivating = (
            self.instance.pk is not None
            and self.initial.get("is_active", True)
            and cleaned.get("is_active") is False
        )
        if deactivating and not cleaned.get("confirm_deactivation"):
            self.add_error(
                None,  # at the top of the form, where it is read before anything else
                _("%(notice)s Tick “I understand what deactivating does” and save again.")
                % {"notice": deactivation_notice(self.instance)},
            )
        return cleaned
