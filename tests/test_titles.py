"""Every page's <title> is plain text, as a browser tab shows it: no tags and no entities
left over once it is read (a `<script>` in a title block, a name escaped twice), for every
persona who may open the page, in English and Chinese. The pages are those of
tests/access_table.py, on office A's objects, with an activity whose title needs escaping."""

from __future__ import annotations

import html
import re

import pytest

from activities.models import Activity

from .access_table import TABLE, app_routes, url_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("access_media_root")]

TITLE = re.compile(r"<title>(.*?)</title>", re.S)
MARKUP = re.compile(r"<[a-zA-Z/!]|&[#a-zA-Z0-9]+;")
AWKWARD = "R&D “centre” & 'talks' <> 1"


def pages():
    for route in app_routes():
        row = TABLE.get(route.key)
        if route.is_api or route.is_admin or route.format_suffix or row is None:
            continue
        yield route, row


@pytest.mark.parametrize("language", ["en", "zh-hant"])
@pytest.mark.parametrize("persona", ["anonymous", "staff_a", "supervisor_a", "viewer", "admin"])
def test_every_pages_title_is_plain_text(access_dataset, persona, language):
    Activity.objects.filter(pk=access_dataset.a.activity.pk).update(title=AWKWARD)
    failures, seen = [], 0
    for route, row in pages():
        url = url_for(route, row, access_dataset.a)
        client = access_dataset.client(persona)
        client.cookies["django_language"] = language
        response = client.get(url, row.query(access_dataset.a))
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        found = TITLE.search(response.content.decode())
        title = html.unescape(found.group(1)).strip() if found else ""
        if not title or MARKUP.search(title):
            failures.append(f"{url}: {title!r}")
        if route.name == "activities:detail" and not title.startswith(AWKWARD):
            failures.append(f"{url}: the activity's title reads {title!r}")
        seen += 1
    assert seen >= (1 if persona == "anonymous" else 10)
    assert not failures, "\n".join(failures)
