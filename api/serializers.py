"""Serializers only translate: objects to JSON and JSON to the keyword arguments of the
services. Offices, indicators and regions are named by their codes, in and out."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from activities.models import Activity, AuthorityLevel
from offices.models import (
    FIRST_DAY,
    LAST_DAY,
    AnnualTarget,
    Counterpart,
    Indicator,
    Office,
    OfficeTarget,
    Region,
    not_after_today,
)
from reports.models import PublishedReport, ReportFormat
from reports.progress import ARITHMETIC_RULE, STATUS_RULE, STATUS_VALUES

MAX_LINKS = 50  # counterparts, partners or participating offices on one activity
MAX_ID = 2**63 - 1  # a larger number is no row's id (and no database takes it)
ID_PATTERN = r"[0-9]{1,18}"  # ids in URLs: digits only, and never more than MAX_ID
CODE_PATTERN = r"[-a-zA-Z0-9_]{1,40}"  # codes in URLs: what region, office, indicator codes use


MAX_VERSION = 2**31 - 1  # an activity's version is a PositiveIntegerField


class DayRange:
    """A day a person records or asks about lies from FIRST_DAY to LAST_DAY; one message
    gives both ends. The schema reads `bounds` (api.schema)."""

    bounds = (FIRST_DAY, LAST_DAY)

    def __call__(self, day: dt.date) -> None:
        first, last = self.bounds
        if not first <= day <= last:
            raise serializers.ValidationError(
                _("Give a date from %(first)s to %(last)s.") % {"first": first, "last": last}
            )


class DayField(serializers.DateField):
    def __init__(self, **kwargs):
        kwargs["validators"] = [*kwargs.get("validators", []), DayRange()]
        super().__init__(**kwargs)


class CodeField(serializers.SlugRelatedField):
    """An office, indicator or region named by its code."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        super().__init__(**kwargs)


class LinkList(serializers.ManyRelatedField):
    """A list of related objects, by id or code: at most `max_length`, read in one query
    whatever their number (DRF's own reads one by one)."""

    default_error_messages = {
        **serializers.ManyRelatedField.default_error_messages,
        "max_length": _("Give at most {max_length}."),
        "wrong_item": _("Each item must be {kind}, not {value!r}."),
        "missing": _("Not found: {missing}."),
    }

    def __init__(self, *, max_length: int = MAX_LINKS, **kwargs):
        self.max_length = max_length
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str | dict) or not hasattr(data, "__iter__"):
            self.fail("not_a_list", input_type=type(data).__name__)
        data = list(data)
        if not self.allow_empty and not data:
            self.fail("empty")
        if len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        child = self.child_relation
        key = getattr(child, "slug_field", "pk")
        kind, wanted = (str, _("a code")) if key != "pk" else (int, _("an id"))
        for item in data:
            if isinstance(item, bool) or not isinstance(item, kind):
                self.fail("wrong_item", kind=wanted, value=item)
            if kind is int and not 0 < item <= MAX_ID:
                self.fail("missing", missing=item)
        found = {
            getattr(obj, key): obj for obj in child.get_queryset().filter(**{f"{key}__in": data})
        }
        missing = [str(item) for item in data if item not in found]
        if missing:
            self.fail("missing", missing=", ".join(dict.fromkeys(missing)))
        return [found[item] for item in dict.fromkeys(data)]


def links(child: serializers.RelatedField, **kwargs) -> LinkList:
    return LinkList(child_relation=child, **kwargs)


# --- reference data ---------------------------------------------------------------------


class RegionSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("In the request's language."))

    class Meta:
        model = Region
        fields = ["code", "kind", "name", "name_en", "name_zh_hant", "name_zh_hans"]


class OfficeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("In the request's language."))
    city = serializers.CharField(read_only=True)
    parent = CodeField(
        read_only=True, allow_null=True, help_text=_("The Mainland Office a unit belongs to.")
    )
    units = CodeField(many=True, read_only=True, help_text=_("Its liaison units and centre."))
    regions = CodeField(many=True, read_only=True, help_text=_("The regions it covers."))

    class Meta:
        model = Office
        fields = [
            "code",
            "kind",
            "name",
            "name_en",
            "name_zh_hant",
            "name_zh_hans",
            "city",
            "city_en",
            "city_zh_hant",
            "city_zh_hans",
            "parent",
            "units",
            "regions",
            "opened_on",
            "is_active",
        ]


class IndicatorSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("In the request's language."))

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "name_en",
            "name_zh_hant",
            "name_zh_hans",
            "description_en",
            "description_zh_hant",
            "description_zh_hans",
            "display_order",
            "is_active",
            "counterpart_types",
            "counterpart_required",
            "asks_authority_level",
            "asks_event_name",
        ]


class CounterpartSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("In the request's language."))
    region = CodeField(read_only=True, allow_null=True)

    class Meta:
        model = Counterpart
        fields = ["id", "type", "name", "name_en", "name_zh_hant", "name_zh_hans", "region"]


class BureauTargetSerializer(serializers.ModelSerializer):
    indicator = CodeField(read_only=True)

    class Meta:
        model = AnnualTarget
        fields = ["indicator", "target", "source"]


class OfficeTargetSerializer(serializers.ModelSerializer):
    indicator = CodeField(read_only=True)
    office = CodeField(read_only=True)

    class Meta:
        model = OfficeTarget
        fields = ["office", "indicator", "target"]


class TargetsSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    bureau = BureauTargetSerializer(many=True, help_text=_("All offices together."))
    offices = OfficeTargetSerializer(many=True, help_text=_("Each office's share."))


class YearQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text=_("This year by default.")
    )


# --- activities ---------------------------------------------------------------------------


class ActivitySerializer(serializers.ModelSerializer):
    """An activity as read."""

    lead_office = CodeField(read_only=True)
    indicator = CodeField(read_only=True)
    region = CodeField(read_only=True, allow_null=True)
    participating_offices = CodeField(many=True, read_only=True)
    counterparts = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    partners = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    authority_level = serializers.ChoiceField(
        choices=AuthorityLevel.choices, allow_blank=True, read_only=True
    )
    counts = serializers.BooleanField(
        read_only=True, help_text=_("Submitted or verified, and not removed.")
    )
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    reviewed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    removed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Activity
        fields = [
            "id",
            "lead_office",
            "indicator",
            "occurred_on",
            "title",
            "region",
            "city",
            "authority_level",
            "event_name",
            "hk_participants",
            "partners",
            "counterparts",
            "participating_offices",
            "notes",
            "status",
            "counts",
            "counted_since",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
            "version",
            "created_by",
            "created_at",
            "updated_by",
            "updated_at",
            "removed_at",
            "removed_by",
            "removal_reason",
        ]
        read_only_fields = fields


class ActivityWriteSerializer(serializers.Serializer):
    """What a person writes. The services check the rest (who, which period, what the
    indicator asks for) and their refusals come back field by field."""

    lead_office = CodeField(queryset=Office.objects.none())
    indicator = CodeField(queryset=Indicator.objects.filter(is_active=True))
    occurred_on = DayField()
    title = serializers.CharField(max_length=200)
    region = CodeField(queryset=Region.objects.all(), required=False, allow_null=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    authority_level = serializers.ChoiceField(
        choices=AuthorityLevel.choices, required=False, allow_blank=True
    )
    event_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    hk_participants = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    counterparts = links(
        serializers.PrimaryKeyRelatedField(
            queryset=Counterpart.objects.filter(is_active=True).exclude(type="partner")
        ),
        required=False,
        help_text=_("Counterpart ids (see /api/v1/counterparts/)."),
    )
    participating_offices = links(
        CodeField(queryset=Office.objects.filter(is_active=True)),
        required=False,
        help_text=_("Other offices that took part: it still counts once, for the lead office."),
    )
    partners = links(
        serializers.PrimaryKeyRelatedField(
            queryset=Counterpart.objects.filter(is_active=True, type="partner")
        ),
        required=False,
        help_text=_("Partner organisation ids (counterparts of type “partner”)."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the offices the user writes for; another office's code is "not found".
        # (The services check again; `user` is None only when the schema is generated.)
        writable = Office.objects.active()
        if user is not None and not user.is_bureau_admin:
            writable = writable.filter(pk__in=user.office_scope_ids())
        self.fields["lead_office"].queryset = writable

    def validate(self, attrs: dict) -> dict:
        """A key that is neither written nor read is a mistake (a typo would otherwise be
        ignored and look saved). Fields only read (status, version...) may come back
        unchanged, so that a script can send back what it read."""
        known = set(self.fields) | set(ActivitySerializer.Meta.fields)
        unknown = sorted(set(self.initial_data) - known)
        if unknown:
            raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return attrs

    def service_kwargs(self, *, replace: bool = False) -> dict:
        """The keyword arguments of activities.services for the fields that were sent; with
        `replace` (a PUT), every field, those left out taking their empty value."""
        data = dict(self.validated_data)
        if replace:
            for name, field in self.fields.items():
                if name not in data and not field.read_only and name not in ("version", "submit"):
                    data[name] = (
                        [] if isinstance(field, LinkList) else (None if field.allow_null else "")
                    )
        data.pop("version", None)
        data.pop("submit", None)
        return data


class ActivityCreateSerializer(ActivityWriteSerializer):
    submit = serializers.BooleanField(
        default=False, help_text=_("Submit for verification at once, instead of a draft.")
    )


def version_field() -> serializers.IntegerField:
    """The version a change was made on, as PUT, PATCH and remove take it."""
    return serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_VERSION,
        help_text=_(
            "The version you read. A stale one is refused with 409 and nothing is saved. "
            "Alternatively send the ETag you read in If-Match (refused with 412)."
        ),
    )


class ActivityUpdateSerializer(ActivityWriteSerializer):
    version = version_field()


class RemoveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)
    version = version_field()


class ReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(
        max_length=2000, help_text=_("What needs to change: the author reads it.")
    )


class FileAlteredSerializer(serializers.Serializer):
    """The body of a refused download of a published report whose stored file changed."""

    detail = serializers.CharField()
    code = serializers.CharField()
    sha256 = serializers.CharField(help_text=_("The SHA-256 recorded when it was published."))


class ConflictSerializer(serializers.Serializer):
    """The body of 409 and 412 answers."""

    class ChangeSerializer(serializers.Serializer):
        field = serializers.CharField()
        label = serializers.CharField()
        old = serializers.CharField()
        new = serializers.CharField()

    detail = serializers.CharField()
    code = serializers.CharField()
    current_version = serializers.IntegerField()
    changed_by = serializers.CharField(allow_null=True)
    changed_at = serializers.DateTimeField(allow_null=True)
    changes = ChangeSerializer(many=True)


# --- progress -----------------------------------------------------------------------------


class ProgressQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text=_("This year by default.")
    )
    as_of = DayField(
        required=False,
        validators=[not_after_today],
        help_text=_(
            "Count what was submitted by the end of this day, today or earlier (a day still "
            "to come is refused). Today by default, or the last day of a past year, as on "
            "the dashboard."
        ),
    )
    office = serializers.CharField(
        required=False,
        max_length=20,
        help_text=_(
            "An office's or unit's code: its own progress (with its units). Without it, the "
            "bureau's (bureau users) or the user's own office's."
        ),
    )


class FigureSerializer(serializers.Serializer):
    indicator = serializers.CharField(source="indicator.code")
    name = serializers.CharField(source="indicator.name")
    achieved = serializers.IntegerField()
    target = serializers.IntegerField(allow_null=True)
    percent = serializers.DecimalField(
        max_digits=9, decimal_places=1, allow_null=True, help_text=_("Achieved / target.")
    )
    expected = serializers.IntegerField(
        source="expected_rounded",
        allow_null=True,
        help_text=_("Where a steady pace would be by the “as of” day; null once the year is over."),
    )
    projected = serializers.IntegerField(
        allow_null=True,
        help_text=_(
            "The year-end figure at the pace so far, rounded down; null once the year is over."
        ),
    )
    status = serializers.ChoiceField(
        choices=STATUS_VALUES,
        allow_null=True,
        help_text=_(
            "ahead, on_track, at_risk or behind during the year (the rule is in "
            "status_rule); met or not_met once the year is over; null before 15 January or "
            "without a target."
        ),
    )
    status_label = serializers.CharField()
    still_needed = serializers.IntegerField(
        allow_null=True, help_text=_("Target − achieved, never below 0; null without a target.")
    )
    needed_per_month = serializers.IntegerField(
        allow_null=True,
        help_text=_(
            "Still needed ÷ the months left in the year, rounded up; null without a target "
            "and once the year is over."
        ),
    )


class UnitProgressSerializer(serializers.Serializer):
    office = serializers.CharField(source="office.code")
    name = serializers.CharField(source="office.name")
    figures = FigureSerializer(many=True)


class OfficeProgressSerializer(UnitProgressSerializer):
    units = UnitProgressSerializer(many=True)


class MonthSeriesSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    months = serializers.ListField(child=serializers.IntegerField(), min_length=12, max_length=12)
    last_year = serializers.ListField(
        child=serializers.IntegerField(), min_length=12, max_length=12
    )


class ProgressSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    as_of = serializers.DateField()
    office = serializers.SerializerMethodField()
    indicators = FigureSerializer(many=True, source="figures")
    offices = OfficeProgressSerializer(many=True, source="rows")
    months = serializers.SerializerMethodField()
    status_rule = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_office(self, data) -> str | None:
        return data.office.code if data.office else None

    @extend_schema_field(MonthSeriesSerializer(many=True))
    def get_months(self, data) -> list[dict]:
        return [
            {
                "indicator": f.indicator.code,
                "months": data.monthly.get(f.indicator.pk, [0] * 12),
                "last_year": data.monthly_last_year.get(f.indicator.pk, [0] * 12),
            }
            for f in data.figures
        ]

    def get_status_rule(self, data) -> str:
        return f"{STATUS_RULE} {ARITHMETIC_RULE}"


# --- published reports ----------------------------------------------------------------------


class PublishedReportSerializer(serializers.ModelSerializer):
    office = CodeField(read_only=True, allow_null=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = PublishedReport
        fields = [
            "id",
            "kind",
            "date_from",
            "date_to",
            "as_of",
            "office",
            "format",
            "language",
            "purpose",
            "state",
            "error",
            "requested_by",
            "requested_at",
            "completed_at",
            "filename",
            "size",
            "sha256",
            "activity_count",
            "download",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download(self, report) -> str | None:
        if not report.is_done:
            return None
        from django.urls import reverse

        url = reverse("api:report-download", args=[report.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class ReportRequestSerializer(serializers.Serializer):
    """A report to publish. The rules on dates are the Reports page's (reports.forms)."""

    year = serializers.IntegerField(min_value=2000, max_value=2100)
    period = serializers.ChoiceField(
        choices=["year", "q1", "q2", "q3", "q4", "h1", "h2", "custom"], default="year"
    )
    date_from = DayField(required=False, help_text=_("Only with period “custom”."))
    date_to = DayField(required=False, help_text=_("Only with period “custom”."))
    office = CodeField(
        queryset=Office.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text=_("An office's code; all offices when left out."),
    )
    format = serializers.ChoiceField(choices=ReportFormat.choices, default=ReportFormat.XLSX)
    language = serializers.ChoiceField(
        choices=["en", "zh-hant", "zh-hans"],
        required=False,
        help_text=_("Of the file's labels; the request's language by default."),
    )
    purpose = serializers.CharField(max_length=200, required=False, allow_blank=True)
