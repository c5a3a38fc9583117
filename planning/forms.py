"""The planning pages' forms: a plan, cancelling one, and the calendar's filters. Forms
only clean input; planning.services decides (warnings, versions, who may)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from activities.forms import CounterpartMultipleChoiceField, OfficeMultipleChoiceField
from offices.models import Counterpart, Indicator, Office, Region

from .models import CancelReason, Confidentiality, PlanStatus

# The fields the three-way merge of a stale edit compares (common/merge.py).
MERGED_FIELDS = (
    "lead_office",
    "participating_offices",
    "indicator",
    "title",
    "starts_on",
    "ends_on",
    "starts_at",
    "ends_at",
    "counterparts",
    "region",
    "city",
    "attendees",
    "attendee_names",
    "purpose",
    "confidentiality",
)
M2M_FIELDS = ("participating_offices", "counterparts", "attendees")


class AttendeeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        name = obj.get_full_name() or obj.get_username()
        return f"{name} ({obj.office.code})"


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class PlanForm(forms.Form):
    """One planned engagement. The reason for going ahead is asked for only once the
    service has answered with warnings (`ask_reason`)."""

    lead_office = forms.ModelChoiceField(
        label=_("Lead office or unit"), queryset=Office.objects.none(), empty_label=None
    )
    indicator = forms.ModelChoiceField(
        label=_("Indicator"), queryset=Indicator.objects.filter(is_active=True), empty_label=None
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_on = forms.DateField(label=_("Date"), widget=_date_input())
    ends_on = forms.DateField(
        label=_("Last day"),
        required=False,
        widget=_date_input(),
        help_text=_("For an engagement over several days."),
    )
    starts_at = forms.TimeField(label=_("From"), required=False, widget=_time_input())
    ends_at = forms.TimeField(label=_("Until"), required=False, widget=_time_input())
    counterparts = CounterpartMultipleChoiceField(
        label=_("Counterparts"),
        queryset=Counterpart.objects.filter(is_active=True).exclude(type="partner"),
        required=False,
        help_text=_("Type to search in English or Chinese; add a new one if it is not listed."),
    )
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.all(), empty_label=_("Choose a region")
    )
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    participating_offices = OfficeMultipleChoiceField(
        label=_("Other participating offices"),
        queryset=Office.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attendees = AttendeeChoiceField(
        label=_("Officials attending"),
        queryset=get_user_model()
        .objects.filter(is_active=True, office__isnull=False)
        .select_related("office")
        .order_by("office__sort_order", "office__code", "first_name", "last_name", "username"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Colleagues with an account, listed by office."),
    )
    attendee_names = forms.CharField(
        label=_("Other officials attending"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
        help_text=_("Officials without an account, one name per line."),
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
    )
    confidentiality = forms.ChoiceField(
        label=_("Who sees it"),
        choices=Confidentiality.choices,
        initial=Confidentiality.SUMMARY,
        widget=forms.RadioSelect,
        help_text=_(
            "Other offices see only the date, office, counterparts, city and indicator; "
            "never the title, purpose or who attends."
        ),
    )
    warning_reason = forms.CharField(
        label=_("Reason for going ahead"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
        help_text=_("The other offices concerned and the bureau read it."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, data=None, *args, user, ask_reason: bool = False, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.user = user
        self.ask_reason = ask_reason or bool(self.data.get("warning_reason", "").strip())
        self.fields["lead_office"].queryset = (
            Office.objects.active()
            if user.is_bureau_admin
            else Office.objects.active().filter(pk__in=user.office_scope_ids())
        )
        self.fields["counterparts"].widget.attrs.update({"data-counterpart-picker": ""})

    def clean(self):
        data = super().clean()
        if data.get("ends_at") and not data.get("starts_at"):
            self.add_error("starts_at", gettext("Give the start time too, or neither."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "lead_office": data["lead_office"],
            "indicator": data["indicator"],
            "title": data["title"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"] or data["starts_on"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "region": data["region"],
            "city": data["city"],
            "attendee_names": data["attendee_names"],
            "purpose": data["purpose"],
            "confidentiality": data["confidentiality"],
            "counterparts": list(data["counterparts"]),
            "participating_offices": list(data["participating_offices"]),
            "attendees": list(data["attendees"]),
            "warning_reason": data["warning_reason"],
        }

    def values(self) -> dict[str, Any]:
        """The submitted values as the three-way merge compares them."""
        return comparable(
            {name: self.cleaned_data[name] for name in MERGED_FIELDS if name in self.cleaned_data}
        )


def comparable(values: dict[str, Any]) -> dict[str, Any]:
    """Ids for objects, frozensets of ids for lists, stripped text: what == can compare."""
    out = {}
    for name, value in values.items():
        if name in M2M_FIELDS:
            out[name] = frozenset(getattr(v, "pk", v) for v in value)
        elif hasattr(value, "pk"):
            out[name] = value.pk
        elif isinstance(value, str):
            out[name] = value.strip()
        else:
            out[name] = value
    if out.get("ends_on") is None and "starts_on" in out:
        out["ends_on"] = out["starts_on"]
    return out


def initial_from_values(values: dict[str, Any], **extra) -> dict[str, Any]:
    return {
        **{k: sorted(v) if isinstance(v, frozenset) else v for k, v in values.items()},
        **extra,
    }


class CancelForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why is it cancelled?"),
        choices=CancelReason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("About the cancellation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
        help_text=_("Required for another reason. The offices taking part and the bureau read it."),
    )


class CalendarFilterForm(forms.Form):
    """The calendar's filters (GET). The counterparts offered are those of plans the person
    sees: a counterpart named only on another office's restricted plan is not revealed."""

    office = forms.ModelChoiceField(
        label=_("Office"),
        queryset=Office.objects.active(),
        required=False,
        empty_label=_("Any office"),
    )
    indicator = forms.ModelChoiceField(
        label=_("Indicator"),
        queryset=Indicator.objects.all(),
        required=False,
        empty_label=_("Any indicator"),
    )
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.all(),
        required=False,
        empty_label=_("Any region"),
    )
    counterpart = forms.ModelChoiceField(
        label=_("Counterpart"),
        queryset=Counterpart.objects.none(),
        required=False,
        empty_label=_("Any counterpart"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        help_text=_("Only plans you see in full have a status shown."),
    )

    def __init__(self, *args, counterparts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counterpart"].queryset = counterparts
        self.fields["status"].choices = [("", gettext("Any status")), *PlanStatus.choices]

    @property
    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


def parse_day(value: str | None) -> dt.date | None:
    """A date from the address (?month=2026-06 or ?week=2026-06-15), or None when absent or
    not a date (the page then shows today's)."""
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%Y-%m"):
        try:
            day = dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        if 1900 <= day.year <= 2999:
            return day
    return None
