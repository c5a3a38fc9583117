"""Activities: what is read, what is written (create, update with the version read), the workflow's bodies, and the bodies of refusals (409, 412, a file altered)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from activities.models import Activity, AuthorityLevel
from offices.models import (
    Counterpart,
    Indicator,
    Office,
    Region,
)

from .fields import CodeField, DayField, LinkList, links, version_field


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
