"""The simulated people of `make loadtest` (loadtest/run.py starts the server and runs this
file with locust; see there). Each signs in with a demo login and works through the real
pages as a browser would: it reads each form off the page (CSRF token included), posts it,
and follows the redirect.

- Office staff log activities (the indicator first, counterparts from the type-ahead, the
  duplicate warning confirmed when it comes), edit their drafts and submit them.
- Office supervisors, one per office, verify what waits in their queue.
- Bureau viewers browse the bureau and office dashboards and the activity list.
- A bureau admin downloads the list as CSV or Excel and uses the API with a token.

Every write the server acknowledges (a redirect to the activity's page, an API 201, a
success message) goes into a ledger that run.py checks against the database afterwards.
Activities are titled "loadtest <uuid>" so that each can be found exactly once.

Loopback only: the file refuses any other host.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from locust import FastHttpUser, between, events, task
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from loadtest import pages  # noqa: E402

# ops.demo.DEMO_PASSWORD: the demo logins that seed_demo creates (never on production).
DEMO_PASSWORD = "kpi-demo-2026"  # noqa: S105
TITLE_PREFIX = "loadtest "
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
HONG_KONG = ZoneInfo("Asia/Hong_Kong")
OFFICES = ("BJO", "GDETO", "SHETO", "CDETO", "WHETO")
STAFF = ("bjo", "gdeto", "sheto", "cdeto", "wheto", "gbadpc", "szlu")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DETAIL = re.compile(r"/activities/(\d+)/$")


# What a person types into the counterpart type-ahead, by the types an indicator asks for.
SEARCH_TERMS = {
    "central_authority": ["Ministry", "Commission", "Office"],
    "provincial_authority": ["Commerce", "Affairs", "Department"],
    "municipal_authority": ["Municipal", "Government", "Authority"],
    "media": ["Daily", "News", "Television"],
    "enterprise": ["Enterprise", "Company", "Group"],
    "chamber": ["Chamber", "Hong Kong"],
    "association": ["Association", "Federation"],
}


def hong_kong_today() -> dt.date:
    return dt.datetime.now(HONG_KONG).date()


def refusal(response) -> str:
    """Why the server said no, as a person would read it on the page."""
    if not response.status_code:
        return f"no answer: {getattr(response, 'error', None)!r}"
    return f"{response.status_code}: {pages.errors(response.text, response.status_code)}"


def api_refusal(response) -> str:
    if not response.status_code:
        return refusal(response)
    return f"{response.status_code}: {(response.text or '')[:200]}"


def loadtest_title() -> str:
    return f"{TITLE_PREFIX}{uuid.uuid4()}"


class Ledger:
    """The writes the server acknowledged, for run.py to find in the database."""

    def __init__(self) -> None:
        self.created: list[dict] = []  # {"title", "id", "via", "status"}
        # Activity id -> the notes of each edit sent, and how many of them were acknowledged
        # (the last acknowledged one, or one sent after it whose answer was cut off at the
        # end of the run, is what the database must hold).
        self.edits: dict[int, dict] = {}
        self.submitted: set[int] = set()
        self.verified: set[int] = set()
        self.duplicate_confirmations = 0
        self.confirm_outside_form = 0  # the duplicate box was not inside the <form>

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "edits": {str(pk): edits for pk, edits in self.edits.items()},
            "submitted": sorted(self.submitted),
            "verified": sorted(self.verified),
            "duplicate_confirmations": self.duplicate_confirmations,
            "confirm_outside_form": self.confirm_outside_form,
        }


LEDGER = Ledger()
# Every request as (method, name, milliseconds, error or None, when it started): run.py
# computes the percentiles from these exactly, with and without the sign-in rush.
REQUESTS: list[tuple[str, str, float, str | None, float]] = []


@events.request.add_listener
def _record(request_type, name, response_time, exception=None, start_time=None, **_kwargs):
    error = None if exception is None else str(exception)[:300]
    REQUESTS.append((request_type, name, round(response_time, 1), error, start_time or time.time()))


@events.init.add_listener
def _loopback_only(environment, **_kwargs) -> None:
    host = urlsplit(environment.host or "").hostname
    if host not in LOOPBACK:
        sys.exit(f"loadtest: refusing to load {environment.host!r}: loopback only (127.0.0.1).")


@events.quitting.add_listener
def _write_ledger(environment, **_kwargs) -> None:
    path = os.environ.get("LOADTEST_LEDGER")
    if path:
        Path(path).write_text(json.dumps({**LEDGER.as_dict(), "requests": REQUESTS}))


class Person(FastHttpUser):
    """Someone signed in with one of the demo logins, in English."""

    abstract = True
    usernames: tuple[str, ...] = ()
    wait_time = between(1, 3)
    default_headers = {"Accept-Language": "en"}
    network_timeout = 30.0
    connection_timeout = 10.0

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls._numbers = itertools.count()

    def on_start(self) -> None:
        if urlsplit(self.host).hostname not in LOOPBACK:
            raise StopUser
        number = next(type(self)._numbers)
        self.username = self.usernames[number % len(self.usernames)]
        self.sign_in()

    # --- requests ------------------------------------------------------------------------

    def page(self, url: str, name: str) -> str | None:
        """GET a page (redirects followed); its HTML, or None when it failed."""
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{refusal(response)} for {url}")
                return None
            return response.text

    def post(self, url: str, pairs, name: str):
        """POST a form without following the redirect: the caller reads where it points."""
        return self.client.post(
            url,
            data=urlencode(pairs, doseq=True),
            headers=FORM,
            name=name,
            allow_redirects=False,
            catch_response=True,
        )

    def follow(self, response, name: str) -> str | None:
        return self.page(response.headers["Location"], name)

    def sign_in(self) -> None:
        html = self.page("/accounts/login/", "sign-in page")
        if html is None:
            raise StopUser
        form = pages.find_form(html, action="/accounts/login/")
        data = dict(form.values())
        data.update(username=self.username, password=DEMO_PASSWORD)
        with self.post("/accounts/login/", data, "sign in") as response:
            if response.status_code != 302:
                response.failure(f"sign-in refused for {self.username}: {refusal(response)}")
                raise StopUser
        self.follow(response, "home (after sign-in)")

    def expect_message(self, html: str | None, name: str, level: str = "success") -> str | None:
        """The flash message a person reads after an action; a failure when it is not there
        or says something else."""
        if html is None:
            return None
        shown = pages.messages(html)
        wanted = [text for lvl, text in shown if lvl == level]
        if wanted:
            return wanted[0]
        events.request.fire(
            request_type="CHECK",
            start_time=time.time(),
            name=name,
            response_time=0,
            response_length=0,
            exception=AssertionError(f"expected a {level} message, read {shown or 'none'}"),
            context={},
        )
        return None


class OfficeStaff(Person):
    """Logs activities for the office through the form, edits its drafts, submits them."""

    weight = 5
    usernames = tuple(f"{code}.staff" for code in STAFF)

    def on_start(self) -> None:
        super().on_start()
        self.drafts: list[int] = []  # created by this person, not yet submitted
        self.office = self.username.split(".")[0].upper()

    @task(5)
    def log_activity(self) -> None:
        html = self.page("/activities/new/", "activity form (new)")
        if html is None:
            return
        form = pages.find_form(html, has_field="title")
        config = pages.json_script(html, "indicator-config")
        indicator = random.choice(form.options("indicator"))
        wants = config[indicator.value]
        counterparts = self.pick_counterparts(wants["counterpart_types"])
        if wants["counterpart_required"] and not counterparts:
            # Nothing found in the type-ahead: log a speaking occasion instead.
            indicator = next(o for o, c in self._configured(form, config) if c["asks_event_name"])
            wants = config[indicator.value]
        title = loadtest_title()
        latest = dt.date.fromisoformat(form.field("occurred_on").attrs["max"])
        day = latest.replace(day=random.randint(1, latest.day))
        values = dict(form.values())
        values.update(indicator=indicator.value, title=title, occurred_on=day.isoformat())
        lead_offices = form.options("lead_office")
        if len(lead_offices) > 1 and random.random() < 0.2:  # now and then for a unit
            values["lead_office"] = random.choice(lead_offices).value
        covered = [o.value for o in form.options("region") if o.group.startswith("Regions your")]
        values["region"] = random.choice(covered or [o.value for o in form.options("region")])
        values["city"] = random.choice(["Guangzhou", "Shenzhen", "Wuhan", "Chengdu", "Beijing"])
        values["hk_participants"] = "Director\nDeputy Director"
        if wants["asks_authority_level"]:
            values["authority_level"] = random.choice(form.options("authority_level")).value
        if wants["asks_event_name"]:
            values["event_name"] = "Hong Kong Economic and Trade Promotion Forum"
        pairs = [(k, v) for k, v in values.items() if k != "counterparts"]
        pairs += [("counterparts", pk) for pk in counterparts]
        submit = random.random() < 0.4
        pairs.append(("submit", "") if submit else ("save", ""))
        activity_id = self.save_activity(
            "/activities/new/", pairs, "log activity (POST)", ("submit" if submit else "save")
        )
        if activity_id is None:
            return
        LEDGER.created.append({"title": title, "id": activity_id, "via": "form", "submit": submit})
        if submit:
            LEDGER.submitted.add(activity_id)
        else:
            self.drafts.append(activity_id)

    @staticmethod
    def _configured(form, config):
        return [(o, config[o.value]) for o in form.options("indicator")]

    def pick_counterparts(self, types: list[str]) -> list[str]:
        """One or two counterparts of the indicator's types, found as a person would: a word
        typed into the type-ahead."""
        searchable = [t for t in types if t in SEARCH_TERMS]
        if not searchable:
            return []
        wanted = random.choice(searchable)
        term = random.choice(SEARCH_TERMS[wanted])
        query = urlencode([("q", term), *(("type", t) for t in types), ("exclude_type", "partner")])
        with self.client.get(
            f"/counterparts/search.json?{query}", name="counterpart search", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(refusal(response))
                return []
            results = response.json()["results"]
        fitting = [str(r["id"]) for r in results if r["type"] in types]
        return random.sample(fitting, k=min(len(fitting), random.choice((1, 1, 2))))

    def save_activity(self, url: str, pairs, name: str, button: str | None) -> int | None:
        """POST the activity form; when the page warns of a likely duplicate, tick "this is
        a different activity" and save again, as a person would. The saved activity's id,
        read from the redirect to its page, or None (the failure is recorded)."""
        with self.post(url, pairs, name) as response:
            if response.status_code == 302:
                return self._saved(response, url)
            # The warning comes back with the form (200, or 400 as a form with errors).
            if response.status_code in (200, 400) and 'name="confirm_duplicate"' in (
                response.text or ""
            ):
                response.success()
                warned = response.text
            else:
                response.failure(refusal(response))
                return None
        LEDGER.duplicate_confirmations += 1
        form = pages.find_form(warned, has_field="title")
        if form.field("confirm_duplicate") is None:
            LEDGER.confirm_outside_form += 1
        pairs = [(k, v) for k, v in form.values() if k != "confirm_duplicate"]
        pairs.append(("confirm_duplicate", "on"))
        if button:  # the button pressed: "Save as draft" or "Save and submit"
            pairs.append((button, ""))
        with self.post(url, pairs, f"{name}, duplicate confirmed") as response:
            if response.status_code == 302:
                return self._saved(response, url)
            response.failure(refusal(response))
            return None

    def _saved(self, response, url: str) -> int | None:
        """The id in the redirect to the activity's page, which then says it was saved.
        A new activity is acknowledged by the redirect to its page itself (even if that
        page then fails: the failure is counted on its own); an edit only by the message,
        since the edit page also sends a locked activity back to its page, with an error."""
        match = DETAIL.search(urlsplit(response.headers["Location"]).path)
        if match is None:
            response.failure(f"{url} redirected to {response.headers['Location']}")
            return None
        saved = self.expect_message(self.follow(response, "activity page"), "saved message")
        if saved is None and url.endswith("/edit/"):
            return None
        return int(match.group(1))

    @task(3)
    def edit_draft(self) -> None:
        if not self.drafts:
            return
        activity_id = random.choice(self.drafts)
        url = f"/activities/{activity_id}/edit/"
        html = self.page(url, "activity form (edit)")
        if html is None:
            return
        form = pages.find_form(html, has_field="title")
        notes = f"loadtest edit {uuid.uuid4()}"
        pairs = [(k, v) for k, v in form.values() if k != "notes"] + [("notes", notes)]
        edits = LEDGER.edits.setdefault(activity_id, {"sent": [], "acknowledged": None})
        edits["sent"].append(notes)
        if self.save_activity(url, pairs, "edit activity (POST)", None) == activity_id:
            edits["acknowledged"] = len(edits["sent"]) - 1

    @task(2)
    def submit_drafts(self) -> None:
        """From the list of drafts (the bulk action) or from an activity's own page."""
        if not self.drafts:
            return
        if random.random() < 0.5:
            # Their office's list holds its drafts (the list's office filter takes ids).
            listing = "/activities/?status=draft"
            html = self.page(listing, "activity list (drafts)")
            if html is None:
                return
            form = pages.find_form(html, action="/activities/submit/")
            on_page = {int(v) for v in form.checkbox_values("ids")} & set(self.drafts)
            chosen = sorted(on_page)[:3] or [self.drafts[0]]
            pairs = [("csrfmiddlewaretoken", form.field("csrfmiddlewaretoken").value)]
            pairs += [("ids", str(pk)) for pk in chosen] + [("next", listing)]
        else:
            chosen = [random.choice(self.drafts)]
            html = self.page(f"/activities/{chosen[0]}/", "activity page")
            if html is None:
                return
            form = pages.find_form(html, action="/activities/submit/")
            pairs = form.values()
        with self.post("/activities/submit/", pairs, "submit for verification (POST)") as r:
            if r.status_code != 302:
                r.failure(refusal(r))
                return
        message = self.expect_message(self.follow(r, "after submitting"), "submitted message")
        if message is not None:
            LEDGER.submitted.update(chosen)
            self.drafts = [pk for pk in self.drafts if pk not in chosen]

    @task(2)
    def browse_own_office(self) -> None:
        self.page(f"/offices/{self.office}/", "office dashboard")
        self.page("/activities/", "activity list")
        if random.random() < 0.3:
            self.page("/activities/?page=2", "activity list, page 2")


class Supervisor(Person):
    """Verifies the office's submitted activities: from the queue, now and then one by one."""

    fixed_count = len(OFFICES)  # one per office: two would verify the same activities
    usernames = tuple(f"{code.lower()}.supervisor" for code in OFFICES)

    @task(3)
    def verify_from_queue(self) -> None:
        html = self.page("/activities/review/", "review queue")
        if html is None:
            return
        try:
            form = pages.find_form(html, has_field="ids")
        except LookupError:
            return  # nothing waiting
        waiting = form.checkbox_values("ids")
        chosen = random.sample(waiting, k=min(len(waiting), random.randint(1, 5)))
        pairs = [("csrfmiddlewaretoken", form.field("csrfmiddlewaretoken").value)]
        pairs += [("ids", pk) for pk in chosen] + [("comment", ""), ("action", "verify")]
        with self.post("/activities/review/", pairs, "verify selected (POST)") as response:
            if response.status_code != 302:
                response.failure(refusal(response))
                return
        html = self.follow(response, "review queue")
        if self.expect_message(html, "verified message") is not None:
            LEDGER.verified.update(int(pk) for pk in chosen)

    @task(1)
    def verify_one(self) -> None:
        html = self.page("/activities/review/", "review queue")
        if html is None:
            return
        try:
            waiting = pages.find_form(html, has_field="ids").checkbox_values("ids")
        except LookupError:
            return
        activity_id = int(random.choice(waiting))
        html = self.page(f"/activities/{activity_id}/", "activity page")
        if html is None:
            return
        form = pages.find_form(html, action=f"/activities/{activity_id}/review/")
        pairs = form.values() + [("action", "verify")]
        with self.post(form.action, pairs, "verify one (POST)") as response:
            if response.status_code != 302:
                response.failure(refusal(response))
                return
        html = self.follow(response, "activity page")
        if self.expect_message(html, "verified message") is not None:
            LEDGER.verified.add(activity_id)

    @task(2)
    def browse_own_office(self) -> None:
        office = self.username.split(".")[0].upper()
        self.page(f"/offices/{office}/", "office dashboard")
        self.page("/activities/?status=submitted", "activity list, filtered")


class BureauViewer(Person):
    """Reads every office's progress: dashboards, the list, an activity."""

    weight = 3
    usernames = ("viewer",)

    @task(3)
    def bureau_dashboard(self) -> None:
        self.page("/dashboard/", "bureau dashboard")

    @task(3)
    def office_dashboard(self) -> None:
        self.page(f"/offices/{random.choice(OFFICES)}/", "office dashboard")

    @task(1)
    def last_year(self) -> None:
        year = hong_kong_today().year - 1
        self.page(f"/dashboard/?year={year}", "bureau dashboard, last year")

    office_ids: list[str] = []  # the list filter's offices, read from the list page

    @task(3)
    def activity_list(self) -> None:
        today = hong_kong_today()
        choice = random.random()
        if choice < 0.4 or not self.office_ids:
            html = self.page("/activities/", "activity list")
            self.office_ids = self.office_ids or pages.select_choices(html or "", "office")
        elif choice < 0.7:
            query = urlencode(
                {
                    "office": random.choice(self.office_ids),
                    "date_from": today.replace(day=1).isoformat(),
                    "date_to": today.isoformat(),
                }
            )
            self.page(f"/activities/?{query}", "activity list, filtered")
        else:
            self.page(f"/activities/?page={random.randint(2, 40)}", "activity list, page n")

    @task(1)
    def activity(self) -> None:
        html = self.page("/activities/?status=submitted", "activity list, filtered")
        ids = re.findall(r'href="/activities/(\d+)/"', html or "")
        if ids:
            self.page(f"/activities/{random.choice(ids)}/", "activity page")


class BureauAdmin(Person):
    """Downloads the activity list and uses the API with a personal token (run.py makes it)."""

    weight = 1
    usernames = ("admin",)

    def on_start(self) -> None:
        super().on_start()
        self.token = os.environ.get("LOADTEST_API_TOKEN", "")

    def api(self, method: str, url: str, name: str, **kwargs):
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        return self.client.request(method, url, name=name, headers=headers, **kwargs)

    @task(3)
    def export_month(self) -> None:
        today = hong_kong_today()
        query = urlencode({"date_from": today.replace(day=1), "date_to": today})
        fmt = "xlsx" if random.random() < 0.25 else "csv"
        with self.client.get(
            f"/activities/export.{fmt}?{query}",
            name=f"export this month ({fmt})",
            catch_response=True,
        ) as response:
            if response.status_code != 200 or not response.content:
                response.failure(f"{response.status_code}, {len(response.content or b'')} bytes")

    @task(1)
    def export_year(self) -> None:
        year = hong_kong_today().year
        query = urlencode({"date_from": f"{year}-01-01", "date_to": f"{year}-12-31"})
        self.page(f"/activities/export.csv?{query}", "export this year (csv)")

    @task(2)
    def api_progress(self) -> None:
        with self.api(
            "GET",
            f"/api/v1/progress/?year={hong_kong_today().year}",
            "API progress",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(api_refusal(response))

    @task(1)
    def api_list(self) -> None:
        query = urlencode({"date_from": hong_kong_today().replace(day=1), "page_size": 50})
        with self.api(
            "GET", f"/api/v1/activities/?{query}", "API activities", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(api_refusal(response))

    @task(1)
    def api_log(self) -> None:
        today = hong_kong_today()
        title = loadtest_title()
        submit = random.random() < 0.5
        body = {
            "lead_office": random.choice(OFFICES),
            "indicator": "speaking",
            "occurred_on": today.replace(day=random.randint(1, today.day)).isoformat(),
            "title": title,
            "event_name": "Greater Bay Area Opportunities Briefing",
            "submit": submit,
        }
        with self.api(
            "POST", "/api/v1/activities/", "API log activity", json=body, catch_response=True
        ) as response:
            if response.status_code != 201:
                response.failure(api_refusal(response))
                return
            activity_id = response.json()["id"]
        LEDGER.created.append({"title": title, "id": activity_id, "via": "api", "submit": submit})
        if submit:
            LEDGER.submitted.add(activity_id)

    @task(1)
    def bureau_dashboard(self) -> None:
        self.page("/dashboard/", "bureau dashboard")
