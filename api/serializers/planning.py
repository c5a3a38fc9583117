"""Plans: what is read (in full, or as the summary other offices see), what is written
(create, update with the version read, cancel), and the warnings a plan raises."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from offices.models import Counterpart, Indicator, Office, Region
from planning.models import CancelReason, Confidentiality, Plan

from .fields import CodeField, DayField, LinkList, links, version_field

# What another office sees of a plan marked "other offices see a summary" (planning.access).
SUMMARY_FIELDS = (
    "id",
    "detail",
    "lead_office",
    "indicator",
    "starts_on",
    "ends_on",
    "region",
    "city",
    "counterparts",
)
HIDDEN = _("Null when `detail` is false (a plan of another office, seen as a summary).")


class PlanSerializer(serializers.ModelSerializer):
    """A plan as read. `detail` says whether the person sees it in full; when false, every
    field but the summary's (id, dates, lead office, indicator, region, city,
    counterparts) is null."""

    detail = serializers.SerializerMethodField(
        help_text=_(
            "True: every field. False: a plan of another office seen as a summary, where "
            "every field but id, dates, lead office, indicator, region, city, "
            "counterparts is null."
        )
    )
    lead_office = CodeField(read_only=True)
    indicator = CodeField(read_only=True)
    region = CodeField(read_only=True)
    counterparts = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    participating_offices = serializers.SerializerMethodField(help_text=HIDDEN)
    attendees = serializers.SerializerMethodField(help_text=HIDDEN)
    confirmed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text=HIDDEN
    )
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text=HIDDEN
    )
    updated_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text=HIDDEN
    )
    cancel_reason = serializers.ChoiceField(
        choices=CancelReason.choices,
        allow_blank=True,
        allow_null=True,
        read_only=True,
        help_text=_(
            "Empty unless cancelled. Null when `detail` is false (a plan of another office, "
            "seen as a summary)."
        ),
    )
    activity = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "The activity logged from it, once done. Null when `detail` is false (a plan of "
            "another office, seen as a summary)."
        ),
    )

    class Meta:
        model = Plan
        fields = [
            *SUMMARY_FIELDS,
            "title",
            "starts_at",
            "ends_at",
            "status",
            "participating_offices",
            "attendees",
            "attendee_names",
            "purpose",
            "confidentiality",
            "confirmed_by",
            "confirmed_at",
            "cancel_reason",
            "cancel_note",
            "cancelled_at",
            "activity",
            "version",
            "created_by",
            "created_at",
            "updated_by",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            name: {"allow_null": True, "help_text": HIDDEN}
            for name in (
                "title",
                "starts_at",
                "ends_at",
                "confirmed_at",
                "cancelled_at",
                "status",
                "attendee_names",
                "purpose",
                "confidentiality",
                "cancel_note",
                "version",
                "created_at",
                "updated_at",
            )
        }

    def _in_full(self, plan: Plan) -> bool:
        """The list annotates `in_full` (planning.access.with_detail_flag); a single plan
        is given with it by the view."""
        return bool(getattr(plan, "in_full", False))

    @extend_schema_field(serializers.BooleanField())
    def get_detail(self, plan: Plan) -> bool:
        return self._in_full(plan)

    @extend_schema_field(
        serializers.ListField(child=serializers.CharField(), allow_null=True, help_text=HIDDEN)
    )
    def get_participating_offices(self, plan: Plan) -> list[str] | None:
        return [office.code for office in plan.participating_offices.all()]

    @extend_schema_field(
        serializers.ListField(
            child=serializers.CharField(),
            allow_null=True,
            help_text=_(
                "Usernames of the officials attending. Null when `detail` is false (a plan "
                "of another office, seen as a summary)."
            ),
        )
    )
    def get_attendees(self, plan: Plan) -> list[str] | None:
        return [user.get_username() for user in plan.attendees.all()]

    def to_representation(self, plan: Plan) -> dict:
        if self._in_full(plan):
            return super().to_representation(plan)
        # Only the summary's fields are read: the others are not even looked at.
        shown = {name: self.fields[name] for name in SUMMARY_FIELDS}
        data = dict.fromkeys(self.fields)
        for name, field in shown.items():
            attribute = field.get_attribute(plan)
            data[name] = None if attribute is None else field.to_representation(attribute)
        return data


class PlanWriteSerializer(serializers.Serializer):
    """What a person writes. planning.services checks the rest (who plans for which office,
    the dates and times in order, the warnings) and its refusals come back field by
    field."""

    lead_office = CodeField(queryset=Office.objects.none())
    indicator = CodeField(queryset=Indicator.objects.filter(is_active=True))
    title = serializers.CharField(max_length=200)
    starts_on = DayField()
    ends_on = DayField(
        required=False,
        allow_null=True,
        help_text=_("The last day, for an engagement over several days; else the same date."),
    )
    starts_at = serializers.TimeField(
        required=False, allow_null=True, help_text=_("Hong Kong time.")
    )
    ends_at = serializers.TimeField(required=False, allow_null=True, help_text=_("Hong Kong time."))
    region = CodeField(queryset=Region.objects.all())
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    attendee_names = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text=_("Officials without an account, one name per line."),
    )
    purpose = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    confidentiality = serializers.ChoiceField(
        choices=Confidentiality.choices, required=False, default=Confidentiality.SUMMARY
    )
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
        help_text=_("Other offices taking part."),
    )
    attendees = links(
        serializers.SlugRelatedField(
            slug_field="username", queryset=get_user_model().objects.filter(is_active=True)
        ),
        required=False,
        help_text=_("Usernames of the officials attending."),
    )
    warning_reason = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        help_text=_(
            "Why the plan goes ahead despite its warnings. Without it, a plan that raises "
            "new warnings is refused with 400, the warnings in `warnings`; nothing is saved."
        ),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the offices the user plans for; another office's code is "not found".
        # (The services check again; `user` is None only when the schema is generated.)
        writable = Office.objects.active()
        if user is not None and not user.is_bureau_admin:
            writable = writable.filter(pk__in=user.office_scope_ids())
        self.fields["lead_office"].queryset = writable

    def validate(self, attrs: dict) -> dict:
        """A key that is neither written nor read is a mistake (a typo would look saved);
        fields only read may come back unchanged, as a script sends back what it read."""
        known = set(self.fields) | set(PlanSerializer.Meta.fields)
        unknown = sorted(set(self.initial_data) - known)
        if unknown:
            raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return attrs

    def service_kwargs(self, *, replace: bool = False) -> dict:
        """The keyword arguments of planning.services for the fields sent; with `replace`
        (a PUT), every field, those left out taking their empty value."""
        data = dict(self.validated_data)
        if replace:
            for name, field in self.fields.items():
                if name in data or field.read_only or name in ("version", "warning_reason"):
                    continue
                if isinstance(field, LinkList):
                    data[name] = []
                elif name == "confidentiality":
                    data[name] = Confidentiality.SUMMARY
                else:
                    data[name] = None if field.allow_null else ""
        data.pop("version", None)
        return data


class PlanUpdateSerializer(PlanWriteSerializer):
    version = version_field()


class PlanCheckSerializer(PlanWriteSerializer):
    plan = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text=_("The plan being changed, if any: it is left out of its own warnings."),
    )


class PlanCancelSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=CancelReason.choices)
    note = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        help_text=_("About the cancellation; needed for “other reason”."),
    )


class WarningItemSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=_("counterpart, official or region"))
    text = serializers.CharField()
    plan = serializers.IntegerField(allow_null=True, help_text=_("The other plan, if any."))
    activity = serializers.IntegerField(allow_null=True, help_text=_("The activity, if any."))


class PlanWarningSerializer(serializers.Serializer):
    """Everything a plan warns about one other office."""

    office = serializers.CharField(help_text=_("The other office concerned (code)."))
    kinds = serializers.ListField(child=serializers.CharField())
    message = serializers.CharField()
    answered = serializers.BooleanField(
        help_text=_("An open conflict of the plan already says this, with its reason.")
    )
    items = WarningItemSerializer(many=True)


class PlanWarningsSerializer(serializers.Serializer):
    warnings = PlanWarningSerializer(many=True)
    needs_reason = serializers.BooleanField(
        help_text=_("Saving needs `warning_reason`: a warning is not yet answered.")
    )


class LoggedSerializer(serializers.Serializer):
    """What "log what happened" made: the draft activity, and the plan, now done."""

    activity = serializers.IntegerField()
    activity_url = serializers.URLField()
    plan = PlanSerializer()


def warning_data(warnings, conflicts=()) -> dict:
    """The warnings as PlanWarningsSerializer reads them."""
    open_by_office = {c.office_id: c for c in conflicts if not c.is_closed}
    rows = []
    for warning in warnings:
        answered = warning.acknowledged_by(open_by_office.get(warning.office.pk))
        rows.append(
            {
                "office": warning.office.code,
                "kinds": warning.kinds,
                "message": warning.message,
                "answered": answered,
                "items": [
                    {
                        "kind": item.kind,
                        "text": item.text,
                        "plan": item.plan.pk if item.plan else None,
                        "activity": item.activity.pk if item.activity else None,
                    }
                    for item in warning.items
                ],
            }
        )
    return {"warnings": rows, "needs_reason": any(not row["answered"] for row in rows)}
