"""What is measured: the people signed in, every page, API and export request at the current
size (deep pages worked out from the counts), and the import of a 5 000-row workbook."""

from __future__ import annotations

import datetime as dt
import html
import io
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from accounts.models import ApiToken, User
from accounts.tokens import token_create
from activities import selectors
from activities.imports.columns import COLUMNS
from activities.views.activities import PER_PAGE
from offices.models import Indicator, Office

from .measurement import Measurement, Request, SizeResult, counted, use_recorded
from .options import (
    BENCH_TOKEN_NAME,
    DEEP_PAGE_AT,
    EXPORT_YEAR,
    IMPORT_REPEAT,
    IMPORT_ROWS,
    PAST_AS_OF_DAYS,
    SEARCH_TERM,
)


@dataclass
class Personas:
    viewer: Client
    staff: Client
    api: Client  # no session: a script sends its token only
    viewer_token: str
    staff_token: str
    staff_user: User
    viewer_user: User
    office: Office
    indicator: Indicator


def personas() -> Personas:
    """The bureau viewer (dashboards, list, API, downloads) and GDETO's staff (their office's
    dashboard and list, the import), signed in as a browser would be, and with API tokens."""
    viewer_user = User.objects.get(username="viewer")
    staff_user = User.objects.get(username="gdeto.staff")
    viewer, staff = Client(), Client()
    viewer.force_login(viewer_user)
    staff.force_login(staff_user)
    # A reused database (BENCH_REUSE_DB=1) has the last run's tokens: new ones replace them.
    ApiToken.objects.filter(name=BENCH_TOKEN_NAME).delete()
    _token, viewer_raw = token_create(user=viewer_user, name=BENCH_TOKEN_NAME)
    _token, staff_raw = token_create(user=staff_user, name=BENCH_TOKEN_NAME)
    return Personas(
        viewer=viewer,
        staff=staff,
        api=Client(),
        viewer_token=viewer_raw,
        staff_token=staff_raw,
        staff_user=staff_user,
        viewer_user=viewer_user,
        office=Office.objects.get(code="GDETO"),
        indicator=Indicator.objects.get(code="visits"),
    )


def _list_count(user, data: dict) -> int:
    query = QueryDict(mutable=True)
    query.update(data)
    return selectors.activity_list(user=user, data=query).qs.count()


def _cursor_to(client: Client, url: str, data: dict, page: int, **headers) -> str:
    """The cursor a person reaches page `page` of a keyset-paged list with (a search, by
    title): the `next` link of the page before, read here in the setup (that page by its
    number, for old links: OFFSET), so that the deep request measures the keyset page at
    that depth. The list page's link, or the API's `next` (with `page_size` in `data`)."""
    response = client.get(url, {**data, "page": page - 1}, headers=headers)
    if response.headers.get("Content-Type", "").startswith("application/json"):
        following = response.json()["next"]
    else:
        found = re.search(r'href="([^"]*)" rel="next"', response.content.decode())
        following = html.unescape(found.group(1)) if found else ""
    cursor = parse_qs(urlsplit(following).query).get("cursor")
    if not cursor:
        raise RuntimeError(f"bench: no next link on page {page - 1} of {url} {data}")
    return cursor[0]


def _deep(count: int, per_page: int) -> tuple[int, int]:
    pages = max(1, math.ceil(count / per_page))
    return max(1, round(pages * DEEP_PAGE_AT)), pages


def _query(data: dict) -> str:
    query = QueryDict(mutable=True)
    query.update(data)
    return query.urlencode()


def past_as_of() -> dt.date:
    """The past day the dashboards and the progress API are read "as of"."""
    return timezone.localdate() - dt.timedelta(days=PAST_AS_OF_DAYS)


def requests_for(people: Personas) -> list[Request]:
    """Every request of the table, with the deep pages worked out from the current counts."""
    year_filter = {"date_from": f"{EXPORT_YEAR}-01-01", "date_to": f"{EXPORT_YEAR}-12-31"}
    page_filter = {"indicator": str(people.indicator.pk), **year_filter}
    api_filter = {"indicator": people.indicator.code, **year_filter}
    api_page_size = 50
    list_url = reverse("activities:list")
    api_url = reverse("api:activity-list")
    viewer_api = {"Authorization": f"Bearer {people.viewer_token}"}
    staff_api = {"Authorization": f"Bearer {people.staff_token}"}

    all_rows = _list_count(people.viewer_user, {})
    filtered = _list_count(people.viewer_user, page_filter)
    office_rows = _list_count(people.staff_user, {})
    year_rows = _list_count(people.viewer_user, year_filter)
    deep, pages = _deep(all_rows, PER_PAGE)
    deep_filtered, pages_filtered = _deep(filtered, PER_PAGE)
    deep_office, pages_office = _deep(office_rows, PER_PAGE)
    api_deep, api_pages = _deep(all_rows, api_page_size)
    api_deep_filtered, api_pages_filtered = _deep(filtered, api_page_size)
    search = {"q": SEARCH_TERM}
    found = _list_count(people.viewer_user, search)
    deep_found, pages_found = _deep(found, PER_PAGE)
    api_deep_found, api_pages_found = _deep(found, api_page_size)
    by_title = {"sort": "title"}
    found_cursor = _cursor_to(people.viewer, list_url, search, deep_found)
    title_cursor = _cursor_to(people.viewer, list_url, by_title, deep)
    api_size = {"page_size": str(api_page_size)}
    api_found_cursor = _cursor_to(
        people.api, api_url, {**search, **api_size}, api_deep_found, **viewer_api
    )
    api_title_cursor = _cursor_to(
        people.api, api_url, {**by_title, **api_size}, api_deep, **viewer_api
    )
    past = past_as_of()
    past_query = _query({"year": str(past.year), "as_of": past.isoformat()})

    v, s, api = people.viewer, people.staff, people.api
    export_url = lambda fmt: reverse("activities:export", args=[fmt])  # noqa: E731
    return [
        Request("bureau dashboard", v, reverse("reports:bureau"), "dashboard"),
        Request(
            "office dashboard (GDETO)",
            s,
            reverse("offices:detail", args=[people.office.code]),
            "dashboard",
        ),
        Request(
            f"bureau dashboard as of {past}",
            v,
            f"{reverse('reports:bureau')}?{past_query}",
            "dashboard",
        ),
        Request(
            f"office dashboard (GDETO) as of {past}",
            s,
            f"{reverse('offices:detail', args=[people.office.code])}?{past_query}",
            "dashboard",
        ),
        Request("list, page 1", v, list_url),
        Request(f"list, page {deep} of {pages}", v, f"{list_url}?page={deep}"),
        Request("list filtered, page 1", v, f"{list_url}?{_query(page_filter)}"),
        Request(
            f"list filtered, page {deep_filtered} of {pages_filtered}",
            v,
            f"{list_url}?{_query({**page_filter, 'page': deep_filtered})}",
        ),
        Request("list GDETO staff, page 1", s, list_url),
        Request(
            f"list GDETO staff, page {deep_office} of {pages_office}",
            s,
            f"{list_url}?page={deep_office}",
        ),
        Request(f"list search '{SEARCH_TERM}', page 1", v, f"{list_url}?{_query(search)}"),
        Request(
            f"list search '{SEARCH_TERM}', page {deep_found} of {pages_found}",
            v,
            f"{list_url}?{_query({**search, 'cursor': found_cursor})}",
        ),
        Request(
            f"list by title, page {deep} of {pages}",
            v,
            f"{list_url}?{_query({**by_title, 'cursor': title_cursor})}",
        ),
        Request(
            f"list by office reversed, page {deep} of {pages}",
            v,
            f"{list_url}?{_query({'sort': '-office', 'page': deep})}",
        ),
        Request("API list, page 1", api, api_url, "api", viewer_api),
        Request(
            f"API list, page {api_deep} of {api_pages}",
            api,
            f"{api_url}?page={api_deep}",
            "api",
            viewer_api,
        ),
        Request("API filtered, page 1", api, f"{api_url}?{_query(api_filter)}", "api", viewer_api),
        Request(
            f"API filtered, page {api_deep_filtered} of {api_pages_filtered}",
            api,
            f"{api_url}?{_query({**api_filter, 'page': api_deep_filtered})}",
            "api",
            viewer_api,
        ),
        Request("API list GDETO token, page 1", api, api_url, "api", staff_api),
        Request(
            f"API search '{SEARCH_TERM}', page 1",
            api,
            f"{api_url}?{_query(search)}",
            "api",
            viewer_api,
        ),
        Request(
            f"API search '{SEARCH_TERM}', page {api_deep_found} of {api_pages_found}",
            api,
            f"{api_url}?{_query({**search, 'cursor': api_found_cursor})}",
            "api",
            viewer_api,
        ),
        Request(
            f"API by title, page {api_deep} of {api_pages}",
            api,
            f"{api_url}?{_query({**by_title, 'cursor': api_title_cursor})}",
            "api",
            viewer_api,
        ),
        Request(
            "progress API (bureau)",
            api,
            f"{reverse('api:progress')}?year={timezone.localdate().year}",
            "api",
            viewer_api,
        ),
        Request(
            f"progress API (bureau) as of {past}",
            api,
            f"{reverse('api:progress')}?{past_query}",
            "api",
            viewer_api,
        ),
        Request(
            f"export {EXPORT_YEAR} CSV",
            v,
            f"{export_url('csv')}?{_query(year_filter)}",
            "export",
            rows=year_rows,
        ),
        Request(
            f"export {EXPORT_YEAR} XLSX",
            v,
            f"{export_url('xlsx')}?{_query(year_filter)}",
            "export",
            rows=year_rows,
        ),
        Request("export all CSV", v, export_url("csv"), "export", rows=all_rows),
    ]


# --- the import --------------------------------------------------------------------------


def import_workbook(rows: int, tag: str) -> bytes:
    """Visits to a Guangdong authority over the last five days, titled so that each size's
    file is new (not duplicates of the previous one)."""
    book = Workbook()
    sheet = book.active
    sheet.append([column.header for column in COLUMNS])
    keys = [column.key for column in COLUMNS]
    today = timezone.localdate()
    for n in range(rows):
        row = {
            "date": today - dt.timedelta(days=n % 5),
            "indicator": "visits",
            "title": f"Call on the Department of Commerce, meeting {tag}-{n}",
            "region": "廣東省",
            "counterparts": "廣東省商務廳",
            "authority_level": "provincial",
        }
        sheet.append([row.get(key, "") for key in keys])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _import_steps(people: Personas, content: bytes, rows: int) -> list[tuple[str, Callable]]:
    """The three requests of an import of `content` (`rows` rows), to be run in turn."""
    client = people.staff
    outcome: dict = {}

    def upload():
        upload = SimpleUploadedFile("bench.xlsx", content)
        response = client.post(
            reverse("activities:import"), {"office": people.office.pk, "file": upload}
        )
        if response.status_code != 302:
            raise RuntimeError(f"import upload answered {response.status_code}")
        outcome["preview"] = response["Location"]

    def preview():
        response = client.get(outcome["preview"])
        if response.status_code != 200:
            raise RuntimeError(f"import preview answered {response.status_code}")

    def confirm():
        pk = int(outcome["preview"].rstrip("/").rsplit("/", 1)[1])
        response = client.post(reverse("activities:import-confirm", args=[pk]), {"expected": rows})
        if response.status_code != 302 or "status=draft" not in response["Location"]:
            raise RuntimeError(f"import confirm answered {response.status_code}: nothing imported")

    return [("upload", upload), ("preview page", preview), ("confirm", confirm)]


def measure_import(people: Personas, result: SizeResult) -> None:
    """The three requests of an import: upload (read, check, keep), the preview page, the
    confirmation (check again what can have changed, create 5 000 drafts with their
    history), each IMPORT_REPEAT times with a new file, the median kept as for every other
    request: one run alone says as much about the machine's moment as about the import.

    A ten-row import goes first, untimed, as the warm-up of the others: the first drafts of
    a month in a group also make the group's roll-up rows (two queries, once), which would
    otherwise fall to the first size's import alone. The titles name the run's moment too: a
    reused database (BENCH_REUSE_DB=1) holds the last run's rows, which would be duplicates."""
    run = f"{result.size} {time.time_ns()}"
    for _name, action in _import_steps(people, import_workbook(10, f"warm-up {run}"), 10):
        action()
    times: dict[str, list[float]] = {}
    queries: dict[str, int] = {}
    for repeat in range(IMPORT_REPEAT):
        content = import_workbook(IMPORT_ROWS, tag=f"{run} {repeat}")
        total = 0.0
        for name, action in _import_steps(people, content, IMPORT_ROWS):
            use_recorded(people.staff)  # untimed: the counted run is every other one
            started = time.perf_counter()
            count, captured = counted(action)
            elapsed = time.perf_counter() - started
            total += elapsed
            label = f"import {IMPORT_ROWS} rows: {name}"
            times.setdefault(label, []).append(elapsed)
            queries[label] = count
            result.slow_queries[label] = sorted(captured, reverse=True)[:3]
        times.setdefault(f"import {IMPORT_ROWS} rows: total", []).append(total)
    queries[f"import {IMPORT_ROWS} rows: total"] = sum(queries.values())
    for label, timings in times.items():
        kind = "import" if label.endswith(": total") else "import-step"
        result.add(Measurement(label, timings, queries=queries[label], kind=kind))
