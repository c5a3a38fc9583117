"""Writes with rules for the reference data."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from .models import AnnualTarget, Counterpart, Indicator, Office, Region

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


@dataclass
class LoadResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, model: str, created: bool) -> None:
        bucket = self.created if created else self.updated
        bucket[model] = bucket.get(model, 0) + 1


def _rows(directory: Path, name: str) -> list[dict[str, str]]:
    with open(directory / name, encoding="utf-8", newline="") as handle:
        return [
            {key: (value or "").strip() for key, value in row.items()}
            for row in csv.DictReader(handle)
        ]


def _opened(value: str) -> dt.date | None:
    if not value:
        return None
    year, month = value.split("-")[:2]
    return dt.date(int(year), int(month), 1)


@transaction.atomic
def reference_data_load(*, directory: Path = REFERENCE_DIR) -> LoadResult:
    """Create or update regions, offices, indicators, counterparts and targets from the
    project's CSV files. Safe to run any number of times: rows are matched on their codes
    (or names) and brought up to date, never duplicated. Existing targets are left as the
    admins set them; only missing ones are created."""
    result = LoadResult()

    for row in _rows(directory, "regions.csv"):
        region = Region(
            code=row["code"],
            kind=row["kind"],
            name_en=row["name_en"],
            name_zh_hant=row["name_zh_hant"],
            name_zh_hans=row["name_zh_hans"],
        )
        region.full_clean(validate_unique=False)
        _, created = Region.objects.update_or_create(
            code=row["code"],
            defaults={
                k: getattr(region, k) for k in ("kind", "name_en", "name_zh_hant", "name_zh_hans")
            },
        )
        result.count("region", created)
    regions = {region.code: region for region in Region.objects.all()}

    office_rows = _rows(directory, "offices.csv")
    order_by_code = {row["code"]: order for order, row in enumerate(office_rows, start=1)}
    # Parents first, so units can point at them.
    for row in sorted(office_rows, key=lambda row: bool(row["parent"])):
        defaults = {
            "kind": row["kind"],
            "parent": Office.objects.get(code=row["parent"]) if row["parent"] else None,
            "name_en": row["name_en"],
            "name_zh_hant": row["name_zh_hant"],
            "name_zh_hans": row["name_zh_hans"],
            "city_en": row["city_en"],
            "city_zh_hant": row["city_zh_hant"],
            "city_zh_hans": row["city_zh_hans"],
            "opened_on": _opened(row["opened"]),
            "sort_order": order_by_code[row["code"]],
        }
        office, created = Office.objects.update_or_create(code=row["code"], defaults=defaults)
        office.full_clean()
        office.regions.set(
            [regions[code] for code in row["covers_region_codes"].split(";") if code]
        )
        result.count("office", created)

    for order, row in enumerate(_rows(directory, "indicators.csv"), start=1):
        _, created = Indicator.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_en": row["name_en"],
                "name_zh_hant": row["name_zh_hant"],
                "name_zh_hans": row["name_zh_hans"],
                "description_en": row["description_en"],
                "description_zh_hant": row["description_zh_hant"],
                "description_zh_hans": row["description_zh_hans"],
                "display_order": order * 10,
                "counterpart_types": [t for t in row["counterpart_types"].split(";") if t],
                "counterpart_required": row["counterpart_required"] == "yes",
                "asks_authority_level": row["asks_authority_level"] == "yes",
                "asks_event_name": row["asks_event_name"] == "yes",
            },
        )
        result.count("indicator", created)
    indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}

    for row in _rows(directory, "counterparts.csv"):
        _, created = Counterpart.objects.update_or_create(
            type=row["type"],
            name_en=row["name_en"],
            defaults={
                "name_zh_hant": row["name_zh_hant"],
                "name_zh_hans": row["name_zh_hans"],
                "region": regions.get(row["region_code"]),
            },
        )
        result.count("counterpart", created)

    previous_source = ""
    for row in _rows(directory, "targets.csv"):
        source = row["source"]
        if source == "same":
            source = previous_source
        previous_source = source
        _, created = AnnualTarget.objects.get_or_create(
            year=int(row["year"]),
            indicator=indicators[row["indicator"]],
            defaults={"target": int(row["target"]), "source": source[:300]},
        )
        result.count("annual target", created)

    return result
