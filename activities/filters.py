import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from offices.models import AS_OF_VALIDATORS, Indicator, Office, Region

from .models import COUNTING_STATUSES, Activity, Status

# The list page's status choice "submitted or verified": what counts (docs/domain.md, "What
# counts"), and its office choice "led by the office": what its figures count.
COUNTED = "counted"
LEAD = "lead"
_TRUE = ("1", "true", "True", "on")


class ActivityFilter(django_filters.FilterSet):
    """The filters of every activity list: page, totals and downloads."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    indicator = django_filters.ModelChoiceFilter(
        label=_("Indicator"), queryset=Indicator.objects.all(), empty_label=_("All indicators")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Status.choices, empty_label=_("All statuses")
    )
    date_from = django_filters.DateFilter(
        label=_("From"),
        field_name="occurred_on",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("To"),
        field_name="occurred_on",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=Region.objects.all(), empty_label=_("All regions")
    )
    office = django_filters.ModelChoiceFilter(
        label=_("Office or unit"),
        queryset=Office.objects.none(),
        empty_label=_("All offices and units"),
        method="filter_office",
    )
    lead = django_filters.ModelChoiceFilter(
        label=_("Counted for the office"),
        queryset=Office.objects.none(),
        empty_label=_("Any lead office"),
        method="filter_lead",
        widget=forms.HiddenInput,
    )
    counted = django_filters.BooleanFilter(
        label=_("Only what counts"), method="filter_counted", widget=forms.HiddenInput
    )
    as_of = django_filters.DateFilter(
        label=_("Recorded on or before"),
        method="filter_as_of",
        widget=forms.HiddenInput,
        validators=AS_OF_VALIDATORS,
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        empty_label=_("Latest date first"),
        fields=(
            ("occurred_on", "date"),
            ("title", "title"),
            ("indicator__display_order", "indicator"),
            ("status", "status"),
            ("lead_office__code", "office"),
        ),
        field_labels={
            "occurred_on": _("Date, oldest first"),
            "-date": _("Date, newest first"),
            "title": _("Title, A to Z"),
            "-title": _("Title, Z to A"),
            "indicator__display_order": _("Indicator"),
            "-indicator": _("Indicator, reversed"),
            "status": _("Status"),
            "-status": _("Status, reversed"),
            "lead_office__code": _("Office"),
            "-office": _("Office, reversed"),
        },
    )

    class Meta:
        model = Activity
        fields = [
            "q",
            "indicator",
            "status",
            "date_from",
            "date_to",
            "region",
            "office",
            "lead",
            "counted",
            "as_of",
            "sort",
        ]

    office_filters = ("office", "lead")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is None and self.request is not None:
            user = self.request.user  # the API's filter backend passes the request
        offices = Office.objects.visible_to(user) if user is not None else Office.objects.all()
        for name in self.office_filters:
            self.filters[name].queryset = offices
            self.form.fields[name].queryset = offices

    def search(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(city__icontains=value)
            | Q(notes__icontains=value)
            | Q(event_name__icontains=value)
        )

    def filter_lead(self, queryset, name, office):
        """Led by the office or its units: what its figures count (a dashboard drill-down)."""
        if office is None:
            return queryset
        return queryset.for_office(office)

    def filter_counted(self, queryset, name, value):
        return queryset.counted() if value else queryset

    def filter_as_of(self, queryset, name, day):
        return queryset.as_of(day) if day else queryset

    def filter_office(self, queryset, name, office):
        """An office with its units: what it leads and what it joined."""
        if office is None:
            return queryset
        return queryset.involving_offices(office.scope_ids())

    @property
    def qs(self):
        queryset = super().qs
        applied = tuple(str(key) for key in queryset.query.order_by)
        # Tie-breakers, so that rows equal in the chosen sort (the same title, indicator,
        # day) keep one order: a page neither repeats nor skips one, and the page and its
        # download list them alike. Ties come newest first, and a sort's reverse ("Z to
        # A") is the exact reverse of it, so one index serves both ways and the roll-up
        # pages both (counts.ListOrder).
        keys = {key.lstrip("-") for key in applied}
        descending = bool(applied) and applied[0].startswith("-")
        if "id" in keys or "pk" in keys:
            tail = []
        elif not applied or applied[0].lstrip("-") == "occurred_on":
            tail = ["-pk" if descending or not applied else "pk"]
            applied = applied or ("-occurred_on",)
        else:
            tail = ["occurred_on", "pk"] if descending else ["-occurred_on", "-pk"]
        return queryset.order_by(*applied, *tail)


class ActivityListFilter(ActivityFilter):
    """The activity list page's filters (and its downloads'): every filter in force is a
    field of the panel, to be changed or removed. A dashboard figure's link names what it
    counted the API's way (`counted`, `lead`); the page reads them as the status "submitted
    or verified" and the office "led by" it, so nothing narrows the list unseen, and a
    visible choice made later (another office, another status) replaces them."""

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(COUNTED, _("Submitted or verified (what counts)")), *Status.choices],
        empty_label=_("All statuses"),
        method="filter_status",
    )
    part = django_filters.ChoiceFilter(
        label=_("The office’s part"),
        choices=[(LEAD, _("Led by it (what its figures count)"))],
        empty_label=_("Led or joined"),
        method="filter_part",
    )
    as_of = django_filters.DateFilter(
        label=_("Counted as of"),
        help_text=_("Submitted or verified by the end of this day, as a dashboard counts."),
        method="filter_as_of",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=AS_OF_VALIDATORS,
    )
    lead = None
    counted = None

    class Meta(ActivityFilter.Meta):
        fields = [
            "q",
            "indicator",
            "status",
            "office",
            "part",
            "region",
            "date_from",
            "date_to",
            "as_of",
            "sort",
        ]

    office_filters = ("office",)

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(self.from_link(data), *args, **kwargs)

    @staticmethod
    def from_link(data):
        """A dashboard link's `lead` and `counted` as the panel's own fields. Where the link
        also names a different office or a status, the visible one stands."""
        if not data or not ("lead" in data or "counted" in data):
            return data
        values = data.copy()
        lead, counted = values.get("lead"), values.get("counted")
        for name in ("lead", "counted"):
            if name in values:
                del values[name]
        if lead and values.get("office") in (None, "", lead):
            values["office"] = lead
            values["part"] = LEAD
        if str(counted) in _TRUE and not values.get("status"):
            values["status"] = COUNTED
        return values

    def filter_status(self, queryset, name, value):
        if not value:
            return queryset
        if value == COUNTED:
            return queryset.filter(status__in=COUNTING_STATUSES)
        return queryset.filter(status=value)

    def filter_part(self, queryset, name, value):
        return queryset  # read by filter_office

    def filter_office(self, queryset, name, office):
        if office is not None and self.form.cleaned_data.get("part") == LEAD:
            return self.filter_lead(queryset, name, office)
        return super().filter_office(queryset, name, office)

    @property
    def drill_down(self) -> bool:
        """The filters are a dashboard figure's: what counts, as of a day."""
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        return data.get("status") == COUNTED and data.get("as_of") is not None


class ReviewQueueFilter(django_filters.FilterSet):
    """The review queue's filters: the lead office or unit, the indicator, who submitted it
    (submitting is the last change before review) and the dates it took place."""

    office = django_filters.ModelChoiceFilter(
        label=_("Office or unit"),
        field_name="lead_office",
        queryset=Office.objects.none(),
        empty_label=_("All offices and units"),
    )
    indicator = django_filters.ModelChoiceFilter(
        label=_("Indicator"), queryset=Indicator.objects.all(), empty_label=_("All indicators")
    )
    submitted_by = django_filters.ModelChoiceFilter(
        label=_("Submitted by"),
        field_name="updated_by",
        queryset=None,
        empty_label=_("Anyone"),
    )
    date_from = django_filters.DateFilter(
        label=_("From"),
        field_name="occurred_on",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("To"),
        field_name="occurred_on",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Activity
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["office"].queryset = Office.objects.visible_to(user)
        people = (
            get_user_model()
            .objects.filter(pk__in=queryset.order_by().values("updated_by"))
            .order_by("first_name", "last_name", "username")
        )
        self.filters["submitted_by"].queryset = people
