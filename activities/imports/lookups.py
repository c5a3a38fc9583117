"""The reference data a row's names are matched against (indicators, regions, counterparts,
offices, authority levels), loaded once per file whatever its length. Names match in
English or Chinese, by code, and in the forms people shorten them to."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.utils import translation

from offices.models import Counterpart, Indicator, Office, Region

from ..access import can_write_for_office
from ..models import AuthorityLevel
from .cells import normalise

_REGION_SUFFIX = re.compile(r"(省|市|(壯族|壮族|回族|維吾爾|维吾尔)?自治[區区])$")
AUTHORITY_ALIASES = {
    AuthorityLevel.CENTRAL: ("中央級", "中央级", "中央", "national", "國家級", "国家级"),
    AuthorityLevel.PROVINCIAL: ("省級", "省级", "省", "province"),
    AuthorityLevel.MUNICIPAL: ("市級", "市级", "市", "city", "municipality"),
    AuthorityLevel.DISTRICT: (
        "區縣級",
        "区县级",
        "區級",
        "区级",
        "縣級",
        "县级",
        "district",
        "county",
    ),
}


def _index(objects: Iterable, names: Callable[[Any], Iterable[str]]) -> dict[str, Any]:
    """Normalised name -> object; None where a name is shared by two objects (ambiguous)."""
    index: dict[str, Any] = {}
    for obj in objects:
        for name in {normalise(name) for name in names(obj) if name}:
            index[name] = obj if index.get(name, obj) is obj else None
    return index


def _indicator_names(indicator: Indicator) -> list[str]:
    return [
        indicator.code,
        re.sub(r"[_-]+", " ", indicator.code),
        indicator.name_en,
        indicator.name_zh_hant,
        indicator.name_zh_hans,
    ]


def _region_names(region: Region) -> list[str]:
    names = [region.code, region.name_en, region.name_zh_hant, region.name_zh_hans]
    for suffix in ("province", "municipality", "autonomous region"):
        names.append(f"{region.name_en} {suffix}")
    for chinese in (region.name_zh_hant, region.name_zh_hans):
        short = _REGION_SUFFIX.sub("", chinese)
        if len(short) >= 2:
            names.append(short)
    return names


def _authority_levels() -> dict[str, str]:
    index = {}
    for value, label in AuthorityLevel.choices:
        names = {value, *AUTHORITY_ALIASES.get(value, ())}
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                names.add(str(label))
        for name in names:
            index[normalise(name)] = value
    return index


def _fingerprint(*groups: Iterable[Any]) -> str:
    """A digest of every value read of these objects (the fields a query deferred are not
    read, so not in it): the same digest, the same reference data."""
    digest = hashlib.sha256()
    for objects in groups:
        # In the order of their ids: a query's order may put equal rows either way round.
        for obj in sorted(objects, key=lambda obj: obj.pk):
            values = [
                getattr(obj, field.attname)
                for field in obj._meta.concrete_fields
                if field.attname in obj.__dict__
            ]
            digest.update(repr((type(obj).__name__, values)).encode())
        digest.update(b"|")
    return digest.hexdigest()


class Lookups:
    """Everything a row is matched against, loaded once per file: four queries, and one
    for the user's offices, whatever the number of rows.

    `fingerprint` sums it up, with the offices the user may write for: two Lookups with the
    same fingerprint match every row of a file to the same objects and refuse the same
    rows (the import's confirmation relies on it, `imports.kept`)."""

    def __init__(self, *, user, office: Office):
        self.office = office
        indicators = list(Indicator.objects.all())
        self.indicators = _index(indicators, _indicator_names)
        self.indicator_codes = ", ".join(i.code for i in indicators if i.is_active)
        regions = list(Region.objects.all())
        self.regions = _index(regions, _region_names)
        self.counterparts: dict[str, list[Counterpart]] = {}
        # Partner bodies are recorded as partners, not counterparts (as in the form).
        counterparts = list(
            Counterpart.objects.filter(is_active=True)
            .exclude(type=Counterpart.Type.PARTNER)
            .only("pk", "type", "name_en", "name_zh_hant", "name_zh_hans")
        )
        for counterpart in counterparts:
            names = (counterpart.name_en, counterpart.name_zh_hant, counterpart.name_zh_hans)
            for name in {normalise(name) for name in names if name}:
                self.counterparts.setdefault(name, []).append(counterpart)
        offices = list(Office.objects.all())
        self.offices = {o.code: o for o in offices}
        top_id = office.parent_id or office.pk
        self.allowed = {
            o.pk: o
            for o in offices
            if o.is_active
            and (o.pk == top_id or o.parent_id == top_id)
            and can_write_for_office(user, o)
        }
        self.allowed_codes = ", ".join(o.code for o in self.allowed.values())
        self.authority_levels = _authority_levels()
        self.by_pk: dict[type, dict[int, Any]] = {
            model: {obj.pk: obj for obj in objects}
            for model, objects in (
                (Indicator, indicators),
                (Region, regions),
                (Counterpart, counterparts),
                (Office, offices),
            )
        }
        self.fingerprint = _fingerprint(
            indicators, regions, counterparts, offices, [office], self.allowed.values()
        )
        self._names: dict[tuple[type, int], str] = {}

    def name_of(self, obj: Indicator | Region) -> str:
        """Its name in the language of the page, worked out once per file, not per row."""
        key = (type(obj), obj.pk)
        if key not in self._names:
            self._names[key] = obj.name
        return self._names[key]
