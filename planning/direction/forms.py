"""The direction pages' forms: filters, a note, a reply, closing a conflict, the gaps'
window. Each field is what a service takes; the rules are the services' and access's."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from offices.models import Indicator, Office

from ..models import ProgressNote, WarningKind
from ..selectors import GAP_MONTH_CHOICES

TEXT_MAX = ProgressNote._meta.get_field("text").max_length


class NoteFilterForm(forms.Form):
    indicator = forms.ModelChoiceField(
        label=_("Indicator"),
        queryset=Indicator.objects.all(),
        required=False,
        empty_label=_("Any indicator"),
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Why the office is ahead or behind on this indicator, and what it will do. "
            "At most 2 000 characters."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("The bureau's reply"),
        max_length=ProgressNote._meta.get_field("reply").max_length,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The office sees it under its note. At most 2 000 characters."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


STATES = (("open", _("Open")), ("closed", _("Closed")), ("all", _("All")))


class ConflictFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Show"), choices=STATES, required=False)
    office = forms.ModelChoiceField(
        label=_("Office concerned"),
        queryset=Office.objects.all(),
        required=False,
        empty_label=_("Any office"),
    )
    kind = forms.ChoiceField(
        label=_("Warning"), choices=[("", _("Any warning")), *WarningKind.choices], required=False
    )

    def __init__(self, *args, offices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if offices is not None:
            self.fields["office"].queryset = offices


class CloseConflictForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the offices"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the offices should do, or why the conflict is closed. Both see it."),
    )


class GapsForm(forms.Form):
    months = forms.TypedChoiceField(
        label=_("Looking back"),
        coerce=int,
        required=False,
    )

    def __init__(self, *args, default: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["months"].choices = [
            (n, ngettext_lazy("%(months)d month", "%(months)d months", "months") % {"months": n})
            for n in sorted({*GAP_MONTH_CHOICES, default})
        ]
