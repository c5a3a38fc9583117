from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from common.web import apply_errors
from offices.models import Office

from . import access
from .models import PublishedReport, ReportFormat
from .report import ReportScope
from .services import check_scope

PERIODS = [
    ("year", _("The whole year (annual report)")),
    ("q1", _("First quarter (January to March)")),
    ("q2", _("Second quarter (April to June)")),
    ("q3", _("Third quarter (July to September)")),
    ("q4", _("Fourth quarter (October to December)")),
    ("h1", _("First half (January to June)")),
    ("h2", _("Second half (July to December)")),
    ("custom", _("Other dates (choose below)")),
]
PERIOD_MONTHS = {
    "year": (1, 12),
    "q1": (1, 3),
    "q2": (4, 6),
    "q3": (7, 9),
    "q4": (10, 12),
    "h1": (1, 6),
    "h2": (7, 12),
}
FIRST_YEAR = 2020


def _last_day(year: int, month: int) -> dt.date:
    return (dt.date(year, month, 28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


class ReportForm(forms.Form):
    """What a report covers and in which format. `scope` is set once the form is valid."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, initial="year")
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Only for other dates. Within the year chosen above."),
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    as_of = forms.DateField(
        label=_("Data as of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "Counts what had been submitted by the end of this day. Leave empty for today, "
            "which includes activities of the period submitted late."
        ),
    )
    office = forms.ModelChoiceField(
        label=_("Offices"),
        queryset=Office.objects.none(),
        required=False,
        empty_label=_("All offices"),
    )
    format = forms.ChoiceField(label=_("Format"), choices=ReportFormat.choices, initial="xlsx")

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        today = timezone.localdate()
        self.fields["year"].choices = [(y, y) for y in range(today.year, FIRST_YEAR - 1, -1)]
        self.fields["year"].initial = today.year
        offices = Office.objects.visible_to(user).filter(is_active=True).select_related("parent")
        self.fields["office"].queryset = offices
        if not access.can_see_all_offices(user):
            # An office's staff have their own office's report, never all offices'.
            self.fields["office"].required = True
            self.fields["office"].empty_label = None
            self.fields["office"].initial = user.office_id
        self.scope: ReportScope | None = None

    def clean(self):
        cleaned = super().clean()
        year, period = cleaned.get("year"), cleaned.get("period")
        if year is None or period is None:
            return cleaned
        if period == "custom":
            date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
            if date_from is None:
                self.add_error("date_from", _("Enter the first day of the period."))
            if date_to is None:
                self.add_error("date_to", _("Enter the last day of the period."))
            if date_from is None or date_to is None:
                return cleaned
            if date_from.year != year or date_to.year != year:
                self.add_error(
                    "date_to",
                    _("Both dates must be in %(year)s, the year chosen above.") % {"year": year},
                )
                return cleaned
            if date_from > date_to:
                self.add_error("date_to", _("The last day must not be before the first."))
                return cleaned
        else:
            first, last = PERIOD_MONTHS[period]
            date_from, date_to = dt.date(year, first, 1), _last_day(year, last)
        as_of = cleaned.get("as_of") or timezone.localdate()
        scope = ReportScope(date_from, date_to, as_of, cleaned.get("office"))
        try:
            check_scope(scope)
        except ValidationError as error:
            apply_errors(self, error)
            return cleaned
        self.scope = scope
        return cleaned


class PublishForm(ReportForm):
    """A report to publish and keep: always cut from today's data."""

    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=200,
        required=False,
        help_text=_("For example: Policy Address 2026 figures, or a LegCo question's number."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["as_of"]

    def language(self) -> str:
        """The published file's language: the one the admin is reading the page in."""
        codes = {code for code, _name in settings.LANGUAGES}
        language = get_language()
        return language if language in codes else settings.LANGUAGE_CODE


class PublishedFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Any kind")), *PublishedReport.Kind.choices],
    )
    format = forms.ChoiceField(
        label=_("Format"), required=False, choices=[("", _("Any format")), *ReportFormat.choices]
    )
