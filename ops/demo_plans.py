"""Demo plans, a conflict between two offices, progress notes and parent authorities for
`make run` (never for production; docs/domain.md, "Planning").

Every plan is made through planning.services, as the pages make them, so the warnings and
the conflict are the real ones: the story pair (GDETO and BJO meeting the same provincial
department within 14 days, BJO going ahead with a reason) is the one conflict. The other
plans keep to their office's own regions and counterparts, so they warn about nothing; one
that would anyway is left out rather than saved past a warning nobody wrote a reason for.
Like the activities, the plans depend on `today` alone: mostly in the coming weeks, a few
later in the year, one confirmed plan already past (the "log what happened" reminder),
one done, one cancelled, two restricted to their own office and the bureau.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from offices.models import Counterpart, Indicator, Office, Region
from planning import services
from planning.models import CancelReason, Confidentiality, Plan, PlanConflict, ProgressNote

from .demo import DEMO_USERS, REGION_CITIES, TITLES

# Bodies of the reference list and the authority each belongs to, as (type, English name).
# An authority missing from the reference list is created for the demo.
PARENT_AUTHORITIES = {
    ("provincial_authority", "Guangdong Provincial People's Government"): (
        "廣東省人民政府",
        "广东省人民政府",
        "440000",
        [
            ("provincial_authority", "Department of Commerce of Guangdong Province"),
            (
                "provincial_authority",
                "Hong Kong and Macao Affairs Office of the Guangdong Provincial People's "
                "Government",
            ),
        ],
    ),
    ("provincial_authority", "Shanghai Municipal People's Government"): (
        "上海市人民政府",
        "上海市人民政府",
        "310000",
        [
            ("provincial_authority", "Shanghai Municipal Commission of Commerce"),
            (
                "provincial_authority",
                "Hong Kong and Macao Affairs Office of the Shanghai Municipal People's Government",
            ),
        ],
    ),
    ("municipal_authority", "Shenzhen Municipal People's Government"): (
        "深圳市人民政府",
        "深圳市人民政府",
        "440000",
        [("municipal_authority", "Qianhai Authority")],
    ),
}

# The counterparts an office's ordinary plans engage, by indicator (own regions only).
PLAN_COUNTERPART_TYPES = {
    "visits": ["provincial_authority", "municipal_authority"],
    "media": ["media"],
    "trade_meetings": ["chamber", "enterprise"],
    "speaking": ["chamber"],
}
TOP_OFFICES = ["BJO", "GDETO", "SHETO", "CDETO", "WHETO"]
STORY_DEPARTMENT = "Department of Commerce of Guangdong Province"
STORY_REASON = (
    "The department's delegation asked to meet us while in Beijing on national trade matters; "
    "GDETO was told by phone."
)


@dataclass
class PlanSeedResult:
    plans: int = 0
    conflicts: int = 0
    notes: int = 0


def demo_counterpart_parents() -> int:
    """Give a few reference counterparts their parent authority (created if missing).
    Safe to run twice; returns how many bodies were linked now."""
    linked = 0
    for (kind, name_en), (name_hant, name_hans, region_code, bodies) in PARENT_AUTHORITIES.items():
        names = [name for _type, name in bodies]
        if not Counterpart.objects.filter(name_en__in=names).exists():
            continue
        parent = Counterpart.objects.filter(type=kind, name_en=name_en).first()
        if parent is None:
            parent = Counterpart.objects.create(
                type=kind,
                name_en=name_en,
                name_zh_hant=name_hant,
                name_zh_hans=name_hans,
                region=Region.objects.filter(code=region_code).first(),
            )
        for body_type, body_name in bodies:
            linked += Counterpart.objects.filter(
                type=body_type, name_en=body_name, parent__isnull=True
            ).update(parent=parent)
    return linked


class _Demo:
    """What the plans are made from: the demo users, offices, indicators, counterparts."""

    def __init__(self, today: dt.date):
        self.today = today
        self.rng = random.Random(f"plans-{today.isoformat()}")
        self.users = {
            u.username: u
            for u in User.objects.filter(username__in=[d.username for d in DEMO_USERS])
        }
        self.offices = {o.code: o for o in Office.objects.prefetch_related("regions")}
        self.indicators = {i.code: i for i in Indicator.objects.filter(is_active=True)}
        self.counterparts: dict[tuple[str, str], list[Counterpart]] = {}
        for counterpart in Counterpart.objects.filter(is_active=True, region__isnull=False):
            key = (counterpart.type, counterpart.region.code)
            self.counterparts.setdefault(key, []).append(counterpart)

    def staff(self, code: str) -> User | None:
        return self.users.get(f"{code.lower()}.staff")

    def supervisor(self, code: str) -> User | None:
        return self.users.get(f"{code.lower()}.supervisor")

    def day(self, days: int) -> dt.date:
        """`days` from today, moved off the weekend."""
        day = self.today + dt.timedelta(days=days)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        return day

    def plan(self, code: str, **fields) -> Plan | None:
        """A plan of the office through the service; None when it would warn unasked."""
        user = self.staff(code)
        if user is None or "visits" not in self.indicators:
            return None
        fields.setdefault("indicator", self.indicators["visits"])
        try:
            with transaction.atomic():
                return services.plan_create(
                    user=user, lead_office=self.offices[code], **fields
                ).plan
        except services.WarningsNeedReason:
            return None

    def ordinary(self, code: str, starts_on: dt.date) -> Plan | None:
        office = self.offices[code]
        regions = sorted(office.regions.all(), key=lambda r: r.code)
        indicator_code = self.rng.choice(
            [c for c in PLAN_COUNTERPART_TYPES if c in self.indicators]
        )
        region = self.rng.choice(regions)

        def choices(code: str) -> list[Counterpart]:
            return [
                counterpart
                for kind in PLAN_COUNTERPART_TYPES[code]
                for counterpart in self.counterparts.get((kind, region.code), [])
            ]

        if not choices(indicator_code):
            indicator_code = "visits"  # every region has an authority to visit
        if not choices(indicator_code):
            return None
        counterparts = [self.rng.choice(choices(indicator_code))]
        city = REGION_CITIES.get(region.code, office.city_en)
        name = counterparts[0].name_en
        title = self.rng.choice(TITLES[indicator_code]).format(cp=name, city=city)[:200]
        return self.plan(
            code,
            indicator=self.indicators[indicator_code],
            title=title,
            starts_on=starts_on,
            region=region,
            city=city,
            counterparts=counterparts,
            starts_at=dt.time(self.rng.choice([9, 10, 14, 15]), 30),
            purpose="Follow up on last year's co-operation and introduce Hong Kong's services.",
        )


def _story(demo: _Demo) -> list[Plan]:
    """The plans the demo's walkthrough shows: the conflicting pair, a confirmed plan
    already past, one done, one cancelled, two restricted."""
    made: list[Plan] = []
    department = Counterpart.objects.filter(name_en=STORY_DEPARTMENT).first()
    guangdong = Region.objects.filter(code="440000").first()
    beijing = Region.objects.filter(code="110000").first()
    if department and guangdong and beijing:
        gdeto = demo.plan(
            "GDETO",
            title="Visit to the Department of Commerce of Guangdong Province on the Hong Kong "
            "trade fair",
            starts_on=demo.day(10),
            starts_at=dt.time(10),
            ends_at=dt.time(12),
            region=guangdong,
            city="Guangzhou",
            counterparts=[department],
            attendee_names="Director, GDETO\nDeputy Director, GDETO",
            purpose="Agree the Guangdong programme of the Hong Kong trade fair.",
        )
        if gdeto and demo.supervisor("GDETO"):
            services.plan_confirm(user=demo.supervisor("GDETO"), plan=gdeto)
            made.append(gdeto)
        bjo = None
        if demo.staff("BJO"):
            with transaction.atomic():
                bjo = services.plan_create(
                    user=demo.staff("BJO"),
                    lead_office=demo.offices["BJO"],
                    indicator=demo.indicators["visits"],
                    title="Meeting with the Guangdong commerce delegation in Beijing",
                    starts_on=demo.day(14),
                    region=beijing,
                    city="Beijing",
                    counterparts=[department],
                    purpose="The delegation's national trade programme in Beijing.",
                    warning_reason=STORY_REASON,
                ).plan
            made.append(bjo)
    for code, days, restricted in [("CDETO", -3, False), ("BJO", 20, True), ("GDETO", 30, True)]:
        plan = demo.ordinary(code, demo.day(days))
        if plan is None:
            continue
        if restricted:
            services.plan_update(
                user=demo.staff(code),
                plan=plan,
                version=plan.version,
                confidentiality=Confidentiality.RESTRICTED,
                purpose="Sensitive: the counterpart asked that the meeting not be announced.",
            )
        if days < 0 and demo.supervisor(code):
            services.plan_confirm(user=demo.supervisor(code), plan=plan)
        made.append(plan)
    done = demo.ordinary("WHETO", demo.today - dt.timedelta(days=2))
    if done and demo.supervisor("WHETO"):
        services.plan_confirm(user=demo.supervisor("WHETO"), plan=done)
        made.append(done)
        try:
            with transaction.atomic():
                services.plan_log_activity(user=demo.staff("WHETO"), plan=done, today=demo.today)
        except ValidationError:
            pass  # a pretended today whose month is closed by now: it stays to be logged
    cancelled = demo.ordinary("SHETO", demo.day(5))
    if cancelled:
        services.plan_cancel(
            user=demo.staff("SHETO"),
            plan=cancelled,
            reason=CancelReason.COUNTERPART_POSTPONED,
            note="The counterpart moved its annual meeting to next quarter.",
        )
        made.append(cancelled)
    return made


def _notes(demo: _Demo) -> int:
    """Last month's notes of two offices behind target, and the bureau's reply to one."""
    last = demo.today.replace(day=1) - dt.timedelta(days=1)
    written = 0
    notes = [
        (
            "CDETO",
            "media",
            "Two interviews with Sichuan Daily moved to next month at the "
            "paper's request; three more are being arranged with Chongqing media.",
        ),
        (
            "WHETO",
            "trade_meetings",
            "The Hubei chamber's matching sessions were postponed; we "
            "are planning two business meetings in Changsha to catch up.",
        ),
        (
            "GDETO",
            "visits",
            "Ahead of pace: the Greater Bay Area visits came earlier than planned.",
        ),
    ]
    for code, indicator_code, text in notes:
        staff, indicator = demo.staff(code), demo.indicators.get(indicator_code)
        if staff is None or indicator is None:
            continue
        note = services.note_write(
            user=staff,
            office=demo.offices[code],
            indicator=indicator,
            year=last.year,
            month=last.month,
            today=demo.today,
            text=text,
        )
        written += 1
        if code == "CDETO" and demo.users.get("admin"):
            services.note_reply(
                user=demo.users["admin"],
                note=note,
                reply="Noted. Please plan the Chongqing interviews before the end of next month "
                "and tell us if the bureau can help.",
                version=note.version,
            )
    return written


def demo_plans_create(*, today: dt.date) -> PlanSeedResult:
    """Create the demo plans and notes; nothing when plans already exist."""
    if Plan.objects.exists():
        return PlanSeedResult()
    demo = _Demo(today)
    if not demo.users or "visits" not in demo.indicators:
        return PlanSeedResult()
    with transaction.atomic():
        made = _story(demo)
        # Mostly in the coming eight weeks, a few later in the year.
        for n in range(30):
            code = TOP_OFFICES[n % len(TOP_OFFICES)]
            days = demo.rng.randint(1, 56) if n < 22 else demo.rng.randint(57, 280)
            plan = demo.ordinary(code, demo.day(days))
            if plan is None:
                continue
            if days <= 21 and demo.rng.random() < 0.5 and demo.supervisor(code):
                services.plan_confirm(user=demo.supervisor(code), plan=plan)
            made.append(plan)
        notes = _notes(demo)
    return PlanSeedResult(plans=len(made), conflicts=PlanConflict.objects.count(), notes=notes)


@transaction.atomic
def demo_plans_delete() -> None:
    """Drop the demo plans and notes (`seed_demo --reset`), before the activities that the
    done plans point to."""
    demo_users = [u.username for u in DEMO_USERS]
    plans = Plan.objects.filter(created_by__username__in=demo_users)
    ids = list(plans.values_list("pk", flat=True))
    PlanConflict.objects.filter(plan_id__in=ids).delete()
    for through in (
        Plan.counterparts.through,
        Plan.participating_offices.through,
        Plan.attendees.through,
    ):
        through.objects.filter(plan_id__in=ids).delete()
    Plan.objects.filter(pk__in=ids).delete()
    Plan.history.filter(id__in=ids).delete()
    notes = ProgressNote.objects.filter(written_by__username__in=demo_users)
    note_ids = list(notes.values_list("pk", flat=True))
    notes.delete()
    ProgressNote.history.filter(id__in=note_ids).delete()
