from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .i18n import LocalizedNamesMixin

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]
# Any day a person asks about (an "as of" day, a report's dates) lies within those years.
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
DAY_VALIDATORS = [MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)]

T = TypeVar("T", bound=models.Model)


def future_as_of_error(day: dt.date) -> ValidationError:
    """Why an "as of" day still to come is refused: nothing is known of it, and figures as
    of tomorrow would show every indicator behind (docs/domain.md, "Time")."""
    return ValidationError(
        _(
            "Figures cannot be taken as of a day still to come (%(day)s): they are known up "
            "to today. Choose today or an earlier day, or leave it empty for today."
        )
        % {"day": day.isoformat()},
        code="future",
    )


def not_after_today(day: dt.date) -> None:
    if day > timezone.localdate():
        raise future_as_of_error(day)


# Every "as of" a person gives: on the dashboards, the lists, the API, reports and exports.
AS_OF_VALIDATORS = [*DAY_VALIDATORS, not_after_today]


def shown_in_figures(objects: Iterable[T], *, with_figures: Collection[int]) -> list[T]:
    """The offices, units or indicators a table of figures lists: the active ones, and an
    inactive one wherever it has figures in the period (activities counted, or a target).

    Deactivating closes for new entries and hides from choices; it never changes or hides
    what was already counted (docs/domain.md, "What counts"). Counting itself never looks
    at `is_active`: this only decides which rows a table shows."""
    return [obj for obj in objects if obj.is_active or obj.pk in with_figures]


class Region(LocalizedNamesMixin, models.Model):
    """A Mainland provincial-level division, keyed by its GB/T 2260 code."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        MUNICIPALITY = "municipality", _("Municipality")
        AUTONOMOUS_REGION = "autonomous_region", _("Autonomous region")

    code = models.CharField(
        _("GB/T 2260 code"),
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^[1-9]\d0000$", _("Enter a six-digit GB/T 2260 code."))],
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=50)
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=50)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["province", "municipality", "autonomous_region"]),
                name="region_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --- an office with its units: the one roll-up rule (docs/domain.md, "What counts") ------


def office_with_units(office_id, *, field: str = "") -> Q:
    """The office and, for a top-level office, its units and centre, as a condition: on
    offices themselves, or on a model's office field (`field="lead_office"`). `office_id`
    may be an expression (an OuterRef). Every figure of an office rolls up exactly these."""
    prefix = f"{field}__" if field else ""
    return Q(**{f"{prefix}pk": office_id}) | Q(**{f"{prefix}parent_id": office_id})


def is_within(office: Office, top_id: int) -> bool:
    """`office` is the office `top_id` or one of its units: the rule above, for offices
    already read (a list of every office, without a query)."""
    return top_id in (office.pk, office.parent_id)


class OfficeQuerySet(models.QuerySet):
    def scope_ids_of(self, office_id: int) -> list[int]:
        """The ids of the office with its units (one query)."""
        return list(
            self.filter(office_with_units(office_id)).order_by().values_list("pk", flat=True)
        )

    def top_level(self) -> OfficeQuerySet:
        return self.filter(parent__isnull=True)

    def active(self) -> OfficeQuerySet:
        return self.filter(is_active=True)

    def visible_to(self, user) -> OfficeQuerySet:
        """The offices a user may see: all for the bureau, their own (and its units) otherwise."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_bureau:
            return self.all()
        if user.office_id is None:
            return self.none()
        return self.filter(pk__in=user.office_scope_ids())


class Office(LocalizedNamesMixin, models.Model):
    """A Mainland Office, the centre, or a liaison unit.

    Units and the centre have a parent office; their activities roll up into it, and
    the bureau total is the sum over the top-level offices.
    """

    class Kind(models.TextChoices):
        OFFICE = "office", _("Mainland Office")
        CENTRE = "centre", _("Centre")
        LIAISON_UNIT = "liaison_unit", _("Liaison unit")

    code = models.CharField(
        _("code"),
        max_length=12,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Z][A-Z0-9]{1,11}$", _("Use 2–12 capital letters or digits."))
        ],
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent office"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
    )
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=100)
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=100)
    city_en = models.CharField(_("city (English)"), max_length=100)
    city_zh_hant = models.CharField(_("city (Traditional Chinese)"), max_length=50)
    city_zh_hans = models.CharField(_("city (Simplified Chinese)"), max_length=50)
    regions = models.ManyToManyField(
        Region, verbose_name=_("regions covered"), related_name="offices", blank=True
    )
    opened_on = models.DateField(_("opened"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("display order"), default=0)

    objects = OfficeQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="office", parent__isnull=True)
                | (Q(kind__in=["centre", "liaison_unit"]) & Q(parent__isnull=False)),
                name="office_parent_matches_kind",
                violation_error_message=_(
                    "A Mainland Office has no parent; a centre or liaison unit must have one."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent_id and self.parent.parent_id:
            raise ValidationError(
                {"parent": _("The parent must be a Mainland Office, not a unit.")}
            )

    @property
    def city(self) -> str:
        return self.localized("city")

    @property
    def is_unit(self) -> bool:
        return self.parent_id is not None

    @property
    def reporting_office_id(self) -> int:
        """The top-level office this office's activities roll up into."""
        return self.parent_id or self.pk

    def scope_ids(self) -> list[int]:
        """This office and, for a top-level office, its units and centre (cached)."""
        if self.parent_id:
            return [self.pk]
        if "_scope_ids" not in self.__dict__:
            self._scope_ids = type(self).objects.scope_ids_of(self.pk)
        return self._scope_ids


class Indicator(LocalizedNamesMixin, models.Model):
    """A key performance indicator. Admins can add more without code changes."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=100)
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=100)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh_hant = models.TextField(_("description (Traditional Chinese)"), blank=True)
    description_zh_hans = models.TextField(_("description (Simplified Chinese)"), blank=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    counterpart_types = models.JSONField(
        _("counterpart types offered"),
        default=list,
        blank=True,
        help_text=_('Counterpart types offered first in the form, e.g. ["media"].'),
    )
    counterpart_required = models.BooleanField(_("a counterpart is required"), default=False)
    asks_authority_level = models.BooleanField(_("asks the authority's level"), default=False)
    asks_event_name = models.BooleanField(_("asks the event's name"), default=False)

    class Meta:
        ordering = ["display_order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name

    @property
    def description(self) -> str:
        return self.localized("description")


class AnnualTarget(models.Model):
    """The bureau-wide minimum for one indicator in one calendar year ("no less than")."""

    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="targets"
    )
    target = models.PositiveIntegerField(
        _("target (no less than)"), validators=[MinValueValidator(1)]
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "indicator__display_order"]
        verbose_name = _("bureau-wide annual target")
        verbose_name_plural = _("bureau-wide annual targets")
        constraints = [
            models.UniqueConstraint(fields=["year", "indicator"], name="annual_target_unique"),
            models.CheckConstraint(condition=Q(target__gt=0), name="annual_target_positive"),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="annual_target_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.indicator}: {self.target}"


class OfficeTarget(models.Model):
    """An optional share of a year's target allocated to one office."""

    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.PROTECT,
        related_name="office_targets",
    )
    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="targets"
    )
    target = models.PositiveIntegerField(
        _("target (no less than)"), validators=[MinValueValidator(1)]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "office__sort_order", "indicator__display_order"]
        verbose_name = _("office target")
        verbose_name_plural = _("office targets")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "indicator", "office"], name="office_target_unique"
            ),
            models.CheckConstraint(condition=Q(target__gt=0), name="office_target_positive"),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="office_target_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.office.code} {self.indicator}: {self.target}"


class Counterpart(LocalizedNamesMixin, models.Model):
    """A Mainland authority or body, media outlet, enterprise, chamber or partner the offices meet."""

    class Type(models.TextChoices):
        CENTRAL_AUTHORITY = "central_authority", _("Central authority")
        PROVINCIAL_AUTHORITY = "provincial_authority", _("Provincial authority")
        MUNICIPAL_AUTHORITY = "municipal_authority", _("Municipal authority")
        MEDIA = "media", _("Media outlet")
        ENTERPRISE = "enterprise", _("Enterprise")
        CHAMBER = "chamber", _("Chamber of commerce")
        ASSOCIATION = "association", _("Association")
        PARTNER = "partner", _("Hong Kong partner body")
        OTHER = "other", _("Other body")

    type = models.CharField(_("type"), max_length=30, choices=Type.choices)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=200, blank=True)
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=200, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="counterparts",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent authority"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bodies",
        help_text=_(
            "The authority this body belongs to, e.g. a provincial department's people's "
            "government. Plans warn when two offices engage bodies of the same authority."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for the reference list."),
    )

    class Meta:
        ordering = ["type", "name_en"]
        verbose_name = _("counterpart")
        verbose_name_plural = _("counterparts")
        constraints = [
            models.CheckConstraint(
                condition=~Q(name_en="") | ~Q(name_zh_hant="") | ~Q(name_zh_hans=""),
                name="counterpart_has_a_name",
                violation_error_message=_("Give the name in English or Chinese."),
            ),
            models.CheckConstraint(
                condition=Q(
                    type__in=[
                        "central_authority",
                        "provincial_authority",
                        "municipal_authority",
                        "media",
                        "enterprise",
                        "chamber",
                        "association",
                        "partner",
                        "other",
                    ]
                ),
                name="counterpart_type_valid",
            ),
            models.UniqueConstraint(
                Lower("name_en"),
                "type",
                condition=~Q(name_en=""),
                name="counterpart_unique_english_name",
                violation_error_message=_("A counterpart of this type with this name exists."),
            ),
            models.UniqueConstraint(
                "name_zh_hant",
                "type",
                condition=~Q(name_zh_hant=""),
                name="counterpart_unique_chinese_name",
                violation_error_message=_("A counterpart of this type with this name exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A body cannot be its own parent authority.")})


# Counterparts of "high level": the ones the bureau expects the offices to have contacted
# each year (the gaps page, docs/domain.md "Planning").
HIGH_LEVEL_TYPES = (Counterpart.Type.CENTRAL_AUTHORITY, Counterpart.Type.PROVINCIAL_AUTHORITY)


def same_authority(counterpart_ids: Iterable[int]) -> set[int]:
    """The counterparts and every body of the same authority: their parent authorities,
    the bodies of those, and their own bodies. Two queries."""
    ids = set(counterpart_ids)
    if not ids:
        return set()
    parents = set(
        Counterpart.objects.filter(pk__in=ids, parent__isnull=False).values_list(
            "parent_id", flat=True
        )
    )
    heads = ids | parents
    bodies = Counterpart.objects.filter(parent_id__in=heads).values_list("pk", flat=True)
    return heads | set(bodies)
