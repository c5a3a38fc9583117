from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.templatetags.people import person
from offices.counterparts import counterpart_label
from offices.models import Counterpart, Indicator, Office, Region

from . import conflicts
from .models import Activity, AuthorityLevel, PeriodReopening
from .periods import PeriodState, period_state
from .services.checks import indicator_requirements
from .versions import comparable


class CounterpartMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Counterpart) -> str:
        return counterpart_label(obj)


class OfficeMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Office) -> str:
        return f"{obj.name} ({obj.code})"


DUPLICATES_SHOWN = 3


class ActivityForm(forms.Form):
    """One activity, indicator first. The form only cleans input; services decide."""

    indicator = forms.ModelChoiceField(
        label=_("Indicator"), queryset=Indicator.objects.filter(is_active=True), empty_label=None
    )
    lead_office = forms.ModelChoiceField(
        label=_("Lead office or unit"), queryset=Office.objects.none(), empty_label=None
    )
    occurred_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    authority_level = forms.ChoiceField(
        label=_("Level of the authority"),
        choices=[("", "—"), *AuthorityLevel.choices],
        required=False,
    )
    event_name = forms.CharField(label=_("Event"), max_length=200, required=False)
    counterparts = CounterpartMultipleChoiceField(
        label=_("Counterparts"),
        queryset=Counterpart.objects.filter(is_active=True).exclude(type="partner"),
        required=False,
        help_text=_("Type to search in English or Chinese; add a new one if it is not listed."),
    )
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.all(), required=False
    )
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    participating_offices = OfficeMultipleChoiceField(
        label=_("Other participating offices"),
        queryset=Office.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For a joint activity: it counts once, for the lead office."),
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Partner organisations"),
        queryset=Counterpart.objects.filter(type="partner", is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    hk_participants = forms.CharField(
        label=_("Hong Kong participants"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
        help_text=_("Officers and other Hong Kong participants, one per line."),
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_duplicate = forms.BooleanField(
        label=_("Yes, this is a different activity: save it"), required=False
    )
    # Asked for when a closed month's activity is saved as a draft with a request to
    # reopen the month (docs/domain.md, "Periods").
    reopening_reason = forms.CharField(
        label=_("Reason for reopening the month"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
        help_text=_("The bureau admins read it when they decide."),
    )
    # The fields still to be chosen after an edit was refused as stale, comma-separated.
    choose = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        data=None,
        *args,
        user,
        activity: Activity | None = None,
        conflicts_to_choose: list[str] | None = None,
        closed_month_draft: bool = False,
        **kwargs,
    ):
        super().__init__(data, *args, **kwargs)
        self.user = user
        self.activity = activity
        # Saving as a draft with a request to reopen the month: the month may be closed.
        self.closed_month_draft = closed_month_draft
        self.closed_period: PeriodState | None = None  # the month refused, if closed
        self.closed_office: Office | None = None  # and whose
        if closed_month_draft:
            self.fields["reopening_reason"].required = True
            self.fields["reopening_reason"].error_messages["required"] = _(
                "Give the reason for reopening the month."
            )
        if activity is None:
            names = []
        elif conflicts_to_choose is not None:
            names = conflicts.conflict_names(",".join(conflicts_to_choose))
        else:
            names = conflicts.conflict_names(self.data.get("choose", ""))
        self.conflict_names = names
        self._offer_choices(names)
        writable = (
            Office.objects.active()
            if user.is_bureau_admin
            else Office.objects.active().filter(pk__in=user.office_scope_ids())
        )
        self.fields["lead_office"].queryset = writable
        covered = (
            set(Region.objects.filter(offices__in=writable).values_list("pk", flat=True))
            if not user.is_bureau_admin
            else set()
        )
        # The regions the office covers come first, in a group of their own.
        regions = list(Region.objects.all())
        if covered:
            self.fields["region"].choices = [
                ("", _("Choose a region")),
                (
                    _("Regions your office covers"),
                    [(r.pk, r.name) for r in regions if r.pk in covered],
                ),
                (_("Other regions"), [(r.pk, r.name) for r in regions if r.pk not in covered]),
            ]
        else:
            self.fields["region"].choices = [("", _("Choose a region"))] + [
                (r.pk, r.name) for r in regions
            ]
        self.fields["occurred_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["counterparts"].widget.attrs.update({"data-counterpart-picker": ""})
        self.duplicates: list[Activity] = []
        self.duplicate_ids: list[int] = []  # every likely duplicate, to remember once confirmed

    def _take_theirs(self, data: dict) -> None:
        """Where the person chose the other person's value, the form saves the value of
        the version it was merged with: to the rule, a field they did not change. If yet
        another change came in since, saving is refused and merged again. The person's
        own value stays in the page, should the form come back with an error."""
        chosen = [n for n in self.conflict_names if data.get(f"choice_{n}") == "theirs"]
        if not chosen:
            return
        values = conflicts.values_at(self.activity, data.get("version") or 0)
        if values is None:
            raise forms.ValidationError(
                _("This version of the activity is not on record. Open it again."),
                code="unknown_version",
            )
        for name in chosen:
            value = values[name]
            raw = [str(pk) for pk in sorted(value)] if isinstance(value, frozenset) else value
            try:
                data[name] = self.fields[name].clean(_as_input(raw))
            except forms.ValidationError as exc:
                self.add_error(f"choice_{name}", exc)

    def _offer_choices(self, names: list[str]) -> None:
        """A field both people changed is chosen, not typed: its own input carries the
        person's value out of sight, and a pair of radio buttons says which value to keep."""
        self.fields["choose"].initial = ",".join(names)
        for name in names:
            field = self.fields[name]
            field.widget = (
                forms.MultipleHiddenInput()
                if isinstance(field, forms.ModelMultipleChoiceField)
                else forms.HiddenInput()
            )
            self.fields[f"choice_{name}"] = forms.ChoiceField(
                label=field.label,
                choices=[("mine", gettext("Keep yours")), ("theirs", gettext("Take theirs"))],
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose which value to keep.")},
            )

    def describe_choices(self, merge: conflicts.ActivityMerge) -> None:
        """Name each choice by its value, and the other one by who saved it and when."""
        for change in merge.conflicts:
            field = self.fields.get(f"choice_{change.name}")
            if field is None:
                continue
            when = (
                date_format(timezone.localtime(change.at), "SHORT_DATETIME_FORMAT")
                if change.at
                else ""
            )
            field.choices = [
                ("mine", gettext("Keep yours: %(value)s") % {"value": change.mine}),
                (
                    "theirs",
                    gettext("Take the one %(person)s saved at %(when)s: %(value)s")
                    % {"person": person(change.by), "when": when, "value": change.theirs},
                ),
            ]
            if change.was is not None:
                # The bound field keeps a copy of the help text: it may be built already.
                field.help_text = self[f"choice_{change.name}"].help_text = gettext(
                    "When you opened the form: %(value)s"
                ) % {"value": change.was}

    @property
    def choices_to_make(self) -> list:
        return [self[f"choice_{name}"] for name in self.conflict_names]

    def values(self, names=None) -> dict[str, Any]:
        """The submitted values as the three-way rule compares them: ids for related
        objects, frozensets of ids for related lists."""
        data = self.cleaned_data
        values: dict[str, Any] = {}
        for name in conflicts.FIELDS if names is None else names:
            if name not in data:
                continue
            value = data[name]
            if isinstance(self.fields[name], forms.ModelMultipleChoiceField):
                values[name] = frozenset(obj.pk for obj in value)
            elif isinstance(self.fields[name], forms.ModelChoiceField):
                values[name] = value.pk if value is not None else None
            elif isinstance(value, str):
                values[name] = comparable(value.strip())
            else:
                values[name] = value
        return values

    @classmethod
    def initial_from_values(cls, values: dict[str, Any], **extra) -> dict:
        """The form's initial data from compared values (those of a merge)."""
        initial = {
            name: sorted(value) if isinstance(value, frozenset) else value
            for name, value in values.items()
        }
        return {**initial, **extra}

    def clean_occurred_on(self):
        day = self.cleaned_data["occurred_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day

    def _add_rule_errors(self, data: dict) -> None:
        """With some fields wrong, the rules the service checks on the others are asked
        too (what the indicator needs, the month closed), so that every error comes in one
        answer instead of one after the other."""
        indicator = data.get("indicator")
        if indicator is not None:
            for field, messages in indicator_requirements(
                indicator,
                counterparts=data.get("counterparts") or (),
                authority_level=data.get("authority_level", ""),
                event_name=data.get("event_name", ""),
            ).items():
                if field not in self.errors:
                    for message in messages:
                        self.add_error(field, message)
        if "occurred_on" not in self.errors:
            self.note_closed_period()
            if self.closed_period is not None and not self.closed_month_draft:
                self.add_error("occurred_on", self.closed_period.explain())

    def note_closed_period(self) -> None:
        """Keep the month of the activity if it is closed: the page then offers to save it
        as a draft and ask to reopen the month. Called before a refusal's errors are put
        on the form, which takes the date out of the cleaned data."""
        office = self.cleaned_data.get("lead_office")
        day = self.cleaned_data.get("occurred_on")
        if office is None or day is None:
            return
        state = period_state(office=office, day=day)
        self.closed_period = None if state.is_open else state
        self.closed_office = office

    def clean(self):
        data = super().clean()
        if self.errors:
            self._add_rule_errors(data)
            return data
        self._take_theirs(data)
        if self.errors:
            return data
        # A likely duplicate: same office, indicator, date and counterpart.
        candidates = Activity.objects.not_removed().filter(
            lead_office=data["lead_office"],
            indicator=data["indicator"],
            occurred_on=data["occurred_on"],
        )
        if data["counterparts"]:
            candidates = candidates.filter(counterparts__in=data["counterparts"])
        else:
            candidates = candidates.filter(counterparts__isnull=True)
        if self.activity is not None:
            # Those the person already confirmed as different are not asked about again.
            candidates = candidates.exclude(
                pk__in=[self.activity.pk, *self.activity.confirmed_different_from]
            )
        self.duplicates = list(candidates.distinct()[:DUPLICATES_SHOWN])
        if len(self.duplicates) < DUPLICATES_SHOWN:
            self.duplicate_ids = [other.pk for other in self.duplicates]
        else:
            self.duplicate_ids = list(candidates.values_list("pk", flat=True).distinct())
        if self.duplicates and not data.get("confirm_duplicate"):
            raise forms.ValidationError(
                _(
                    "This looks like an activity already logged (same office, indicator, date "
                    "and counterpart). Check it, then tick the box to save anyway."
                ),
                code="duplicate",
            )
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "confirmed_different_from": self.duplicate_ids if data.get("confirm_duplicate") else [],
            "lead_office": data["lead_office"],
            "indicator": data["indicator"],
            "occurred_on": data["occurred_on"],
            "title": data["title"],
            "region": data["region"],
            "city": data["city"],
            "authority_level": data["authority_level"],
            "event_name": data["event_name"],
            "hk_participants": data["hk_participants"],
            "notes": data["notes"],
            "counterparts": list(data["counterparts"]),
            "participating_offices": list(data["participating_offices"]),
            "partners": list(data["partners"]),
        }

    @classmethod
    def initial_from(cls, activity: Activity) -> dict:
        return {
            "indicator": activity.indicator_id,
            "lead_office": activity.lead_office_id,
            "occurred_on": activity.occurred_on,
            "title": activity.title,
            "authority_level": activity.authority_level,
            "event_name": activity.event_name,
            "counterparts": list(activity.counterparts.all()),
            "region": activity.region_id,
            "city": activity.city,
            "participating_offices": list(activity.participating_offices.all()),
            "partners": list(activity.partners.all()),
            "hk_participants": activity.hk_participants,
            "notes": activity.notes,
            "version": activity.version,
        }


def _as_input(value):
    if value is None:
        return ""
    if isinstance(value, list):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# Fields kept by "Save and add another".
COMMON_FIELDS = ("indicator", "lead_office", "occurred_on", "region", "city", "hk_participants")


class RemoveForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for removing"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_("The activity stays on record with who removed it, when and why."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment for the author"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
        help_text=_("Required to return: say what needs to change."),
    )


class ReopeningRequestForm(forms.Form):
    month = forms.ChoiceField(label=_("Month"))
    office = forms.ModelChoiceField(
        label=_("Office or unit"), queryset=Office.objects.none(), empty_label=None
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000
    )

    def __init__(self, *args, user, closed_months: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = closed_months
        self.fields["office"].queryset = Office.objects.filter(pk__in=user.office_scope_ids())


class ReopeningDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("grant", _("Grant")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
    )
    open_until = forms.DateField(
        label=_("Open until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Needed to grant: the last day the office can change that month."),
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000, required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "grant":
            until = data.get("open_until")
            if not until:
                self.add_error("open_until", _("Give the date until which the month reopens."))
            elif until < timezone.localdate():
                self.add_error("open_until", _("The date must be today or later."))
        return data

    def as_reopening_state(self) -> str:
        return (
            PeriodReopening.State.GRANTED
            if self.cleaned_data["decision"] == "grant"
            else PeriodReopening.State.DECLINED
        )
