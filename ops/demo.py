"""Demo users and a realistic history of activities for `make run` (never for production).

The demo's plans are ops.demo_plans; ops.seed runs both.

The history covers last year in full and this year up to today, spread over offices, months
and regions in proportions like the real ones (the large offices log more), with a few
offices behind target so that the dashboards have a story to tell. It is random but
reproducible: the same `today` gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from activities.models import Activity, Status, end_of_day
from activities.services import activities_bulk_write
from offices.models import AnnualTarget, Counterpart, Indicator, Office, OfficeTarget, Region

DEMO_PASSWORD = "kpi-demo-2026"  # noqa: S105 - printed for the demo on purpose
DEMO_EMAIL_DOMAIN = "demo.cmab.gov.hk"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    office_code: str | None
    first_name: str
    last_name: str


DEMO_USERS = [
    DemoUser("admin", Role.BUREAU_ADMIN, None, "Ada", "Chan"),
    DemoUser("viewer", Role.BUREAU_VIEWER, None, "Victor", "Leung"),
    DemoUser("bjo.staff", Role.OFFICE_STAFF, "BJO", "Bonnie", "Wong"),
    DemoUser("bjo.supervisor", Role.OFFICE_SUPERVISOR, "BJO", "Benjamin", "Lau"),
    DemoUser("gdeto.staff", Role.OFFICE_STAFF, "GDETO", "Grace", "Ho"),
    DemoUser("gdeto.supervisor", Role.OFFICE_SUPERVISOR, "GDETO", "Gordon", "Tse"),
    DemoUser("sheto.staff", Role.OFFICE_STAFF, "SHETO", "Shirley", "Lam"),
    DemoUser("sheto.supervisor", Role.OFFICE_SUPERVISOR, "SHETO", "Samuel", "Ng"),
    DemoUser("cdeto.staff", Role.OFFICE_STAFF, "CDETO", "Candy", "Yip"),
    DemoUser("cdeto.supervisor", Role.OFFICE_SUPERVISOR, "CDETO", "Calvin", "Fung"),
    DemoUser("wheto.staff", Role.OFFICE_STAFF, "WHETO", "Winnie", "Cheung"),
    DemoUser("wheto.supervisor", Role.OFFICE_SUPERVISOR, "WHETO", "William", "Kwok"),
    DemoUser("gbadpc.staff", Role.OFFICE_STAFF, "GBADPC", "Gigi", "Mak"),
    DemoUser("szlu.staff", Role.OFFICE_STAFF, "SZLU", "Sunny", "Chow"),
]

# Each office's usual share of the bureau's activity, and how it performs against that
# share this year (1.0 = on pace). Chengdu lags on media and speaking, Wuhan on trade.
OFFICE_WEIGHTS = {"BJO": 0.27, "GDETO": 0.27, "SHETO": 0.20, "CDETO": 0.14, "WHETO": 0.12}
PERFORMANCE = {
    ("CDETO", "media"): 0.68,
    ("CDETO", "speaking"): 0.78,
    ("WHETO", "trade_meetings"): 0.72,
    ("WHETO", "visits"): 0.9,
    ("SHETO", "trade_meetings"): 1.12,
    ("GDETO", "visits"): 1.08,
}
# Of a parent office's activities, the part its units and the centre lead.
UNIT_SHARE = {"liaison_unit": 0.12, "centre": 0.15}
# Fewer activities around the Lunar New Year and in the summer.
MONTH_WEIGHTS = [0.55, 0.75, 1.1, 1.1, 1.1, 1.05, 0.9, 0.7, 1.05, 1.0, 1.15, 1.0]

REGION_CITIES = {
    "110000": "Beijing",
    "120000": "Tianjin",
    "130000": "Shijiazhuang",
    "140000": "Taiyuan",
    "150000": "Hohhot",
    "210000": "Shenyang",
    "220000": "Changchun",
    "230000": "Harbin",
    "310000": "Shanghai",
    "320000": "Nanjing",
    "330000": "Hangzhou",
    "340000": "Hefei",
    "350000": "Fuzhou",
    "360000": "Nanchang",
    "370000": "Jinan",
    "410000": "Zhengzhou",
    "420000": "Wuhan",
    "430000": "Changsha",
    "440000": "Guangzhou",
    "450000": "Nanning",
    "460000": "Haikou",
    "500000": "Chongqing",
    "510000": "Chengdu",
    "520000": "Guiyang",
    "530000": "Kunming",
    "540000": "Lhasa",
    "610000": "Xi'an",
    "620000": "Lanzhou",
    "630000": "Xining",
    "640000": "Yinchuan",
    "650000": "Urumqi",
}
GBA_CITIES = ["Guangzhou", "Shenzhen", "Foshan", "Dongguan", "Zhuhai", "Zhongshan", "Huizhou"]

TITLES = {
    "visits": [
        "Courtesy call on {cp}",
        "Working visit to {cp}",
        "Meeting with {cp} on Hong Kong residents' concerns",
        "Visit to {cp} on co-operation under the 15th Five-Year Plan",
    ],
    "speaking": [
        "Speech at the {city} Hong Kong Economic and Trade Promotion Forum",
        "Keynote at a seminar on Hong Kong's professional services in {city}",
        "Remarks at the Hong Kong youth internship reception in {city}",
        "Speech at the Greater Bay Area opportunities briefing in {city}",
    ],
    "media": [
        "Interview with {cp}",
        "Media briefing on Hong Kong's business advantages, {city}",
        "Interview with {cp} on going global through Hong Kong",
    ],
    "trade_meetings": [
        "Business matching meeting with {cp}",
        "Meeting with Hong Kong enterprises in {city}",
        "Trade meeting with {cp} on overseas expansion via Hong Kong",
        "Roundtable with Mainland enterprises going global, {city}",
    ],
}
COUNTERPART_TYPES = {
    "visits": ["central_authority", "provincial_authority", "municipal_authority"],
    "media": ["media"],
    "trade_meetings": ["chamber", "enterprise", "association"],
    "speaking": ["chamber", "association"],
}
REMOVAL_REASONS = ["Logged twice by mistake", "Meeting was cancelled", "Wrong indicator chosen"]


def demo_users_create() -> int:
    offices = {office.code: office for office in Office.objects.all()}
    created = 0
    for demo in DEMO_USERS:
        user, was_created = User.objects.get_or_create(
            username=demo.username,
            defaults={
                "role": demo.role,
                "office": offices.get(demo.office_code) if demo.office_code else None,
                "first_name": demo.first_name,
                "last_name": demo.last_name,
                "email": f"{demo.username}@{DEMO_EMAIL_DOMAIN}",
                "is_staff": demo.role == Role.BUREAU_ADMIN,
                "is_superuser": demo.role == Role.BUREAU_ADMIN,
            },
        )
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.full_clean()
            user.save()
            created += 1
    return created


def _year_targets(year: int, reference_year: int, indicators: list[Indicator]) -> dict[int, int]:
    """The bureau targets of `year`; for a year without published ones, a demo figure
    derived from the reference year, saved with a source that says so."""
    existing = dict(AnnualTarget.objects.filter(year=year).values_list("indicator_id", "target"))
    reference = dict(
        AnnualTarget.objects.filter(year=reference_year).values_list("indicator_id", "target")
    )
    for indicator in indicators:
        if indicator.pk not in existing and indicator.pk in reference:
            target = round(reference[indicator.pk] * 0.97 ** (reference_year - year))
            AnnualTarget.objects.create(
                year=year, indicator=indicator, target=target, source="Demo figure (not published)"
            )
            existing[indicator.pk] = target
    return existing


def _office_shares(year: int, targets: dict[int, int], offices: dict[str, Office]) -> None:
    """Demo allocations of the bureau targets to the five offices, by their usual weights."""
    for indicator_id, target in targets.items():
        remaining = target
        codes = list(OFFICE_WEIGHTS)
        for i, code in enumerate(codes):
            share = remaining if i == len(codes) - 1 else round(target * OFFICE_WEIGHTS[code])
            remaining -= share
            OfficeTarget.objects.get_or_create(
                year=year,
                indicator_id=indicator_id,
                office=offices[code],
                defaults={"target": share},
            )


def _spread_dates(rng: random.Random, year: int, n: int, until: dt.date) -> list[dt.date]:
    """n working days of `year` up to `until`, weighted by month."""
    days = [
        dt.date(year, 1, 1) + dt.timedelta(d)
        for d in range((dt.date(year, 12, 31) - dt.date(year, 1, 1)).days + 1)
    ]
    days = [d for d in days if d <= until and d.weekday() < 5]
    if not days:
        return []
    weights = [MONTH_WEIGHTS[d.month - 1] for d in days]
    return rng.choices(days, weights=weights, k=n)


def _counterpart_pool(regions: list[Region]) -> dict[tuple[str, str | None], list[Counterpart]]:
    """Counterparts by (type, region code), with a demo authority for every region that has
    none in the reference list, so that visits spread over all 31 regions."""
    for region in regions:
        if not Counterpart.objects.filter(region=region, type="provincial_authority").exists():
            Counterpart.objects.get_or_create(
                type="provincial_authority",
                name_en=f"Hong Kong and Macao Affairs Office of the {region.name_en} People's Government",
                defaults={
                    "name_zh_hant": f"{region.name_zh_hant}人民政府港澳事務辦公室",
                    "name_zh_hans": f"{region.name_zh_hans}人民政府港澳事务办公室",
                    "region": region,
                },
            )
        if not Counterpart.objects.filter(region=region, type="enterprise").exists():
            Counterpart.objects.get_or_create(
                type="enterprise",
                name_en=f"{region.name_en} Investment Group (demo)",
                defaults={
                    "name_zh_hant": f"{region.name_zh_hant}投資集團（示範）",
                    "name_zh_hans": f"{region.name_zh_hans}投资集团（示范）",
                    "region": region,
                },
            )
    pool: dict[tuple[str, str | None], list[Counterpart]] = {}
    for counterpart in Counterpart.objects.select_related("region"):
        code = counterpart.region.code if counterpart.region else None
        pool.setdefault((counterpart.type, code), []).append(counterpart)
        pool.setdefault((counterpart.type, None), []).append(counterpart)
    return pool


@transaction.atomic
def demo_activities_create(*, today: dt.date, scale: float = 1.0, seed: int = 2026) -> int:
    """Create last year's and this year's demo activities. Returns how many."""
    rng = random.Random(f"{seed}-{today.isoformat()}")
    indicators = list(Indicator.objects.filter(is_active=True))
    offices = {office.code: office for office in Office.objects.prefetch_related("regions")}
    regions = list(Region.objects.all())
    pool = _counterpart_pool(regions)
    partners = pool.get(("partner", None), [])
    users = {
        user.username: user
        for user in User.objects.filter(username__in=[u.username for u in DEMO_USERS])
    }
    admin = users.get("admin") or User.objects.filter(is_superuser=True).first()
    units_of: dict[str, list[Office]] = {}
    for office in offices.values():
        if office.parent_id:
            units_of.setdefault(office.parent.code, []).append(office)

    def staff_for(office: Office) -> User:
        top = office.parent.code if office.parent_id else office.code
        return (
            users.get(f"{office.code.lower()}.staff") or users.get(f"{top.lower()}.staff") or admin
        )

    def supervisor_for(office: Office) -> User:
        top = office.parent.code if office.parent_id else office.code
        return users.get(f"{top.lower()}.supervisor") or admin

    rows: list[tuple[Activity, list[Counterpart], list[Counterpart], list[Office]]] = []
    # Nothing is recorded after the (possibly pretended) today.
    now = min(timezone.now(), end_of_day(today) - dt.timedelta(minutes=1))
    for year in (today.year - 1, today.year):
        targets = _year_targets(year, today.year, indicators)
        if year == today.year:
            _office_shares(year, targets, offices)
        until = min(today, dt.date(year, 12, 31))
        elapsed = ((until - dt.date(year, 1, 1)).days + 1) / (
            (dt.date(year, 12, 31) - dt.date(year, 1, 1)).days + 1
        )
        for indicator in indicators:
            target = targets.get(indicator.pk)
            if not target:
                continue
            for code, weight in OFFICE_WEIGHTS.items():
                performance = (
                    PERFORMANCE.get((code, indicator.code), 1.04)
                    if year == today.year
                    else rng.uniform(0.98, 1.12)
                )
                n = round(target * weight * performance * elapsed * scale * rng.uniform(0.97, 1.03))
                parent = offices[code]
                leads = [(parent, 1.0)] + [
                    (unit, UNIT_SHARE[unit.kind]) for unit in units_of.get(code, [])
                ]
                lead_offices = rng.choices(
                    [o for o, _ in leads], weights=[w for _, w in leads], k=n
                )
                for occurred_on, lead in zip(
                    _spread_dates(rng, year, n, until), lead_offices, strict=False
                ):
                    rows.append(
                        _demo_activity(
                            rng,
                            lead,
                            indicator,
                            occurred_on,
                            today,
                            now,
                            pool,
                            partners,
                            offices,
                            units_of,
                            staff_for,
                            supervisor_for,
                        )
                    )

    activities = activities_bulk_write(
        [
            (
                activity,
                {
                    "counterparts": counterparts,
                    "partners": partner_list,
                    "participating_offices": joined,
                },
            )
            for activity, counterparts, partner_list, joined in rows
        ],
        default_user=admin,
    )
    return len(activities)


def _demo_activity(
    rng,
    lead,
    indicator,
    occurred_on,
    today,
    now,
    pool,
    partners,
    offices,
    units_of,
    staff_for,
    supervisor_for,
):
    region_choices = list(lead.regions.all()) or list((lead.parent or lead).regions.all())
    region = rng.choice(region_choices) if region_choices else None
    region_code = region.code if region else None
    if lead.code == "GBADPC":
        city = rng.choice(GBA_CITIES)
    elif region_code:
        city = REGION_CITIES.get(region_code, "")
    else:
        city = lead.city_en
    counterparts: list[Counterpart] = []
    for cp_type in rng.sample(
        COUNTERPART_TYPES[indicator.code], k=len(COUNTERPART_TYPES[indicator.code])
    ):
        candidates = pool.get((cp_type, region_code)) or (
            pool.get((cp_type, None)) if cp_type in {"central_authority", "media"} else None
        )
        if candidates:
            counterparts = [rng.choice(candidates)]
            break
    title_template = rng.choice(TITLES[indicator.code])
    counterpart_name = counterparts[0].name_en if counterparts else f"the {city} authorities"
    title = title_template.format(cp=counterpart_name, city=city or lead.city_en)[:200]
    partner_list = (
        rng.sample(partners, k=1)
        if partners and indicator.code in {"trade_meetings", "speaking"} and rng.random() < 0.3
        else []
    )
    joined: list[Office] = []
    if rng.random() < 0.03:
        top = lead.parent or lead
        others = [o for o in (*units_of.get(top.code, []), top) if o.pk != lead.pk]
        if rng.random() < 0.4:
            others = [o for o in offices.values() if o.parent_id is None and o.pk != top.pk]
        if others:
            joined = [rng.choice(others)]

    age = (today - occurred_on).days
    roll = rng.random()
    if age > 60:
        status = Status.VERIFIED
    elif age > 45:
        status = Status.VERIFIED if roll < 0.9 else Status.SUBMITTED
    else:
        status = (
            Status.VERIFIED
            if roll < 0.4
            else Status.SUBMITTED
            if roll < 0.85
            else Status.DRAFT
            if roll < 0.95
            else Status.RETURNED
        )
    created_at = min(
        timezone.make_aware(
            dt.datetime.combine(
                occurred_on + dt.timedelta(days=rng.randint(0, 4)),
                dt.time(rng.randint(9, 18), rng.randint(0, 59)),
            )
        ),
        now,
    )
    author = staff_for(lead)
    supervisor = supervisor_for(lead)
    activity = Activity(
        lead_office=lead,
        indicator=indicator,
        occurred_on=occurred_on,
        title=title,
        region=region,
        city=city,
        hk_participants=f"{author.get_full_name()}",
        notes="",
        status=status,
        counted_since=created_at if status in (Status.SUBMITTED, Status.VERIFIED) else None,
        created_by=author,
        created_at=created_at,
        updated_by=author,
        updated_at=created_at,
    )
    # The history shows the demo row as created by its author when it was logged.
    activity._history_user = author
    activity._history_date = created_at
    if status in (Status.VERIFIED, Status.RETURNED):
        reviewed_at = min(created_at + dt.timedelta(days=rng.randint(1, 6)), now)
        activity.reviewed_by = supervisor
        activity.reviewed_at = reviewed_at
        activity.updated_at = reviewed_at
        activity.updated_by = supervisor
        if status == Status.RETURNED:
            activity.review_comment = "Please add the counterpart's full name and the participants."
    if age > 30 and rng.random() < 0.01:
        activity.removed_at = min(created_at + dt.timedelta(days=rng.randint(1, 10)), now)
        activity.removed_by = supervisor
        activity.removal_reason = rng.choice(REMOVAL_REASONS)
    return activity, counterparts, partner_list, joined


@transaction.atomic
def demo_activities_delete() -> None:
    """Drop the demo history (`seed_demo --reset`, local use only): the one place rows are
    really deleted, because they were never real."""
    demo = Activity.objects.filter(created_by__username__in=[u.username for u in DEMO_USERS])
    ids = list(demo.values_list("pk", flat=True))
    for through in (
        Activity.counterparts.through,
        Activity.partners.through,
        Activity.participating_offices.through,
    ):
        through.objects.filter(activity_id__in=ids).delete()
    Activity.objects.filter(pk__in=ids).delete()
    # After the rows, so the deletion records that history writes go too.
    Activity.history.filter(id__in=ids).delete()
