"""Realistic activities over ten years, random but reproducible, as rows for COPY."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import User
from activities.models import AuthorityLevel, end_of_day
from offices.models import AnnualTarget, Counterpart, Indicator, Office, Region
from ops import demo

from .options import FIRST_YEAR

HONG_KONG = ZoneInfo("Asia/Hong_Kong")


ACTIVITY_COLUMNS = (
    "id",
    "lead_office_id",
    "indicator_id",
    "occurred_on",
    "title",
    "region_id",
    "city",
    "authority_level",
    "event_name",
    "hk_participants",
    "notes",
    "status",
    "counted_since",
    "reviewed_by_id",
    "reviewed_at",
    "review_comment",
    "version",
    "created_by_id",
    "created_at",
    "updated_by_id",
    "updated_at",
    "removed_at",
    "removed_by_id",
    "removal_reason",
    "confirmed_different_from",
)
AUTHORITY_OF_TYPE = {
    "central_authority": AuthorityLevel.CENTRAL,
    "provincial_authority": AuthorityLevel.PROVINCIAL,
    "municipal_authority": AuthorityLevel.MUNICIPAL,
}
EVENTS = [
    "Hong Kong Economic and Trade Promotion Forum",
    "Greater Bay Area Opportunities Briefing",
    "Hong Kong Professional Services Seminar",
    "Hong Kong Youth Internship Reception",
    "Belt and Road Summit Roadshow",
]
NOTES = [
    "",
    "",
    "",
    "",
    "Follow-up meeting agreed for next quarter.",
    "Briefed on Hong Kong's latest policy measures; materials left with the counterpart.",
    "Joint press release issued afterwards.\nPhotos in the shared folder.",
]
# By age in days: the share verified, then submitted, then draft (cumulative); the rest
# returned. Old activities are nearly all verified; this month's wait for verification.
STATUS_MIX = ((60, (0.96, 0.985, 0.995)), (15, (0.7, 0.95, 0.98)), (-1, (0.3, 0.8, 0.95)))
RETURN_COMMENT = "Please add the counterpart's full name and the participants."
# Extra directory entries per region and type, as a directory grows over ten years.
EXTRA_COUNTERPARTS = {"enterprise": 12, "chamber": 4, "association": 4, "media": 3}
CHINESE_KIND = {
    "enterprise": ("企業", "企业"),
    "chamber": ("商會", "商会"),
    "association": ("協會", "协会"),
    "media": ("傳媒", "传媒"),
}


def _ensure_directory(regions: list[Region]) -> None:
    """A counterpart directory of the size ten years would leave: the demo's authority and
    enterprise for every region, plus a few more enterprises, chambers and media."""
    demo._counterpart_pool(regions)
    if Counterpart.objects.filter(name_en__endswith="(bench)").exists():
        return
    Counterpart.objects.bulk_create(
        Counterpart(
            type=kind,
            name_en=f"{region.name_en} {kind.title()} No. {n} (bench)",
            name_zh_hant=f"{region.name_zh_hant}{CHINESE_KIND[kind][0]}{n}號",
            name_zh_hans=f"{region.name_zh_hans}{CHINESE_KIND[kind][1]}{n}号",
            region=region,
        )
        for region in regions
        for kind, count in EXTRA_COUNTERPARTS.items()
        for n in range(1, count + 1)
    )


class ActivityGenerator:
    """Random but reproducible activities over ten years, in the demo's proportions: the
    large offices log more, units and the centre lead part of their parent's activities
    (from the day they opened), indicators in the proportions of their targets, working
    days weighted by month, statuses by age (mostly verified, recent ones submitted, a few
    drafts and returned ones), 1 % of older ones removed, counterparts from the directory,
    partner bodies on some trade meetings and speeches, 3 % joint activities."""

    def __init__(self, *, today: dt.date, seed: int) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.now = min(timezone.now(), end_of_day(today) - dt.timedelta(minutes=1))
        regions = list(Region.objects.all())
        _ensure_directory(regions)
        self.pool = demo._counterpart_pool(regions)
        self.partners = [c.pk for c in self.pool.get(("partner", None), [])]
        offices = list(Office.objects.filter(is_active=True).prefetch_related("regions"))
        by_code = {o.code: o for o in offices}
        users = {u.username: u for u in User.objects.all()}
        admin = users["admin"]

        self.leads: list[tuple[Office, dt.date | None, Office]] = []
        weights = []
        for office in offices:
            top = office.parent or office
            top_weight = demo.OFFICE_WEIGHTS.get(top.code, 0.05)
            units = [o for o in offices if o.parent_id == top.pk]
            shares = {u.pk: demo.UNIT_SHARE.get(u.kind, 0.1) for u in units}
            total = 1 + sum(shares.values())
            weights.append(top_weight * shares.get(office.pk, 1) / total)
            self.leads.append((office, office.opened_on if office.parent_id else None, top))
        self.lead_cum = list(_cumulative(weights))

        self.region_of = {}
        for office, _opened, top in self.leads:
            own = list(office.regions.all()) or list(top.regions.all())
            self.region_of[office.pk] = [(r.pk, r.code) for r in own] or [(None, None)]
        self.staff = {}
        self.supervisor = {}
        for office, _opened, top in self.leads:
            author = (
                users.get(f"{office.code.lower()}.staff")
                or users.get(f"{top.code.lower()}.staff")
                or admin
            )
            self.staff[office.pk] = (author.pk, author.get_full_name())
            self.supervisor[office.pk] = (users.get(f"{top.code.lower()}.supervisor") or admin).pk
        self.office_city = {office.pk: office.city_en for office, _o, _t in self.leads}
        self.top_offices = [o.pk for o in offices if o.parent_id is None]
        self.units_of = {
            top.pk: [o.pk for o in offices if o.parent_id == top.pk]
            for top in offices
            if top.parent_id is None
        }
        self.gbadpc = by_code.get("GBADPC")

        indicators = list(Indicator.objects.filter(is_active=True))
        targets = dict(
            AnnualTarget.objects.filter(year=today.year).values_list("indicator_id", "target")
        )
        self.indicators = [(i.pk, i.code) for i in indicators]
        self.indicator_cum = list(_cumulative([targets.get(i.pk, 100) for i in indicators]))

        first = dt.date(FIRST_YEAR, 1, 1)
        self.days = [first + dt.timedelta(n) for n in range((today - first).days + 1)]
        self.day_cum = list(
            _cumulative(
                demo.MONTH_WEIGHTS[d.month - 1] * (1 if d.weekday() < 5 else 0.04)
                for d in self.days
            )
        )

    def rows(self, count: int, first_id: int, links: dict[str, list]) -> Iterator[tuple]:
        """`count` activities as tuples in ACTIVITY_COLUMNS order, ids from `first_id`;
        their counterparts, partners and participating offices go to `links`."""
        rng = self.rng
        days = rng.choices(self.days, cum_weights=self.day_cum, k=count)
        leads = rng.choices(self.leads, cum_weights=self.lead_cum, k=count)
        indicators = rng.choices(self.indicators, cum_weights=self.indicator_cum, k=count)
        counterparts, partners, joined = (
            links["counterparts"],
            links["partners"],
            links["participating_offices"],
        )
        for n in range(count):
            pk = first_id + n
            occurred_on = days[n]
            lead, opened, top = leads[n]
            if opened is not None and occurred_on < opened:
                lead = top  # before a unit opened, its parent led
            indicator_id, code = indicators[n]
            region_id, region_code = rng.choice(self.region_of[lead.pk])
            if lead is self.gbadpc:
                city = rng.choice(demo.GBA_CITIES)
            else:
                city = demo.REGION_CITIES.get(region_code, self.office_city[lead.pk])

            counterpart, counterpart_type = self._counterpart(code, region_code)
            if counterpart is not None:
                counterparts.append((pk, counterpart.pk))
                if rng.random() < 0.15:
                    other, _type = self._counterpart(code, region_code)
                    if other is not None and other.pk != counterpart.pk:
                        counterparts.append((pk, other.pk))
            if self.partners and code in ("trade_meetings", "speaking") and rng.random() < 0.3:
                partners.append((pk, rng.choice(self.partners)))
            if rng.random() < 0.03:
                others = [o for o in self.top_offices if o != lead.pk]
                if rng.random() < 0.6:
                    others = [o for o in self.units_of.get(top.pk, []) if o != lead.pk] or others
                joined.append((pk, rng.choice(others)))

            name = counterpart.name_en if counterpart is not None else f"the {city} authorities"
            title = rng.choice(demo.TITLES[code]).format(cp=name, city=city)[:200]
            authority = AUTHORITY_OF_TYPE.get(counterpart_type, "") if code == "visits" else ""
            event = f"{rng.choice(EVENTS)} {occurred_on.year}" if code == "speaking" else ""
            author_id, author_name = self.staff[lead.pk]
            participants = author_name if rng.random() < 0.7 else f"{author_name}\nDeputy Director"

            yield self._bookkeeping(
                pk,
                occurred_on,
                (
                    lead.pk,
                    indicator_id,
                    occurred_on,
                    title,
                    region_id,
                    city,
                    authority,
                    event,
                    participants,
                    rng.choice(NOTES),
                ),
                author_id,
                self.supervisor[lead.pk],
            )

    def _counterpart(self, code: str, region_code: str | None):
        for kind in self.rng.sample(
            demo.COUNTERPART_TYPES[code], k=len(demo.COUNTERPART_TYPES[code])
        ):
            candidates = self.pool.get((kind, region_code)) or (
                self.pool.get((kind, None)) if kind in ("central_authority", "media") else None
            )
            if candidates:
                return self.rng.choice(candidates), kind
        return None, None

    def _bookkeeping(self, pk, occurred_on, fields, author_id, supervisor_id) -> tuple:
        """Status, review, removal and the timestamps, so that the constraints hold: a
        counting status has counted_since, a removal has who, when and why."""
        rng = self.rng
        age = (self.today - occurred_on).days
        verified, submitted, draft = next(mix for days, mix in STATUS_MIX if age > days)
        roll = rng.random()
        status = (
            "verified"
            if roll < verified
            else "submitted"
            if roll < submitted
            else "draft"
            if roll < draft
            else "returned"
        )
        logged = occurred_on + dt.timedelta(days=rng.randint(0, 4))
        created_at = min(
            dt.datetime(
                logged.year,
                logged.month,
                logged.day,
                rng.randint(9, 18),
                rng.randint(0, 59),
                tzinfo=HONG_KONG,
            ),
            self.now,
        )
        counted_since = created_at if status in ("submitted", "verified") else None
        reviewed_by = reviewed_at = None
        updated_by, updated_at, version, comment = author_id, created_at, 1, ""
        if status in ("verified", "returned"):
            reviewed_by = supervisor_id
            reviewed_at = min(created_at + dt.timedelta(days=rng.randint(1, 6)), self.now)
            updated_by, updated_at, version = supervisor_id, reviewed_at, 2
            if status == "returned":
                comment = RETURN_COMMENT
        removed_at = removed_by = None
        reason = ""
        if age > 30 and rng.random() < 0.01:
            removed_at = min(created_at + dt.timedelta(days=rng.randint(1, 10)), self.now)
            removed_by, reason = supervisor_id, rng.choice(demo.REMOVAL_REASONS)
            updated_by, updated_at, version = supervisor_id, max(removed_at, updated_at), 3
        return (
            pk,
            *fields,
            status,
            counted_since,
            reviewed_by,
            reviewed_at,
            comment,
            version,
            author_id,
            created_at,
            updated_by,
            updated_at,
            removed_at,
            removed_by,
            reason,
            "[]",  # no likely duplicate confirmed different (a JSON list)
        )


def _cumulative(weights) -> Iterator[float]:
    total = 0.0
    for weight in weights:
        total += weight
        yield total
