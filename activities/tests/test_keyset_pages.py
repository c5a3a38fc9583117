"""The activity list page and the API paged by keyset where the roll-up cannot page the list
(a search, a sort by title): first, previous, next and last links, the count up to a cap,
the totals only within it, bad cursors, old page numbers, the query counts
(docs/performance.md, "What keeps it fast")."""

import datetime as dt
import re
from html import unescape

import pytest
from django.db.models import F
from django.urls import reverse

from activities.counts import keyset as keyset_module
from activities.models import Activity
from activities.tests.factories import ActivityFactory
from api.tests.clients import TokenClient

pytestmark = pytest.mark.django_db

LIST = reverse("activities:list")
API = reverse("api:activity-list")


@pytest.fixture
def forums(office_a, office_b, indicator):
    """Sixty forums led by office A (many on one day), and ten other activities."""
    for n in range(60):
        ActivityFactory(
            lead_office=office_a,
            indicator=indicator,
            title=f"Business forum {n % 7}",
            occurred_on=dt.date(2026, 3, 1) + dt.timedelta(days=n % 9),
        )
    for n in range(10):
        ActivityFactory(lead_office=office_b, indicator=indicator, title=f"Seminar {n}")


def _expected(**order) -> list[int]:
    rows = Activity.objects.not_removed().filter(title__icontains="forum")
    return list(
        rows.order_by(*order.get("by", ("-occurred_on", "-pk"))).values_list("pk", flat=True)
    )


def _link(html: str, text: str) -> str | None:
    found = re.search(rf'<a href="\?([^"]*)"[^>]*>{re.escape(text)}</a>', html)
    return unescape(found.group(1)) if found else None


@pytest.fixture
def reader(bureau_viewer):
    return TokenClient(bureau_viewer)


def _ids(response) -> list[int]:
    return [a.pk for a in response.context["page"].object_list]


# --- the page -------------------------------------------------------------------------------


def test_a_search_is_paged_by_links_first_previous_next_last(client_bureau, forums):
    expected = _expected()
    first = client_bureau.get(LIST, {"q": "forum"})
    html = first.content.decode()
    assert _ids(first) == expected[:25]
    assert '<nav class="pagination" aria-label="Pages">' in html
    assert 'rel="next">Next page</a>' in html
    assert _link(html, "Previous page") is None and _link(html, "First page") is None
    second = client_bureau.get(f"{LIST}?{_link(html, 'Next page')}")
    assert _ids(second) == expected[25:50]
    html = second.content.decode()
    assert 'rel="prev">Previous page</a>' in html
    back = client_bureau.get(f"{LIST}?{_link(html, 'Previous page')}")
    assert _ids(back) == expected[:25]
    assert _ids(client_bureau.get(f"{LIST}?{_link(html, 'First page')}")) == expected[:25]
    last = client_bureau.get(f"{LIST}?{_link(html, 'Last page')}")
    assert _ids(last) == expected[-25:]  # the list's last 25, in the list's order
    html = last.content.decode()
    assert _link(html, "Next page") is None and _link(html, "Last page") is None
    assert "q=forum" in _link(html, "Previous page")  # the links keep the filters


def test_a_search_within_the_cap_shows_its_count_and_totals(client_bureau, forums):
    html = client_bureau.get(LIST, {"q": "forum"}).content.decode()
    assert "60 activities match" in html
    assert "Submitted: 60" in html


def test_past_the_cap_the_count_says_more_than_and_the_totals_are_hidden(
    client_bureau, forums, monkeypatch
):
    monkeypatch.setattr(keyset_module, "COUNT_CAP", 40)
    response = client_bureau.get(LIST, {"q": "forum"})
    html = response.content.decode()
    assert "More than 40 activities match" in html
    assert "narrow the search or the filters to see them" in html
    assert "Submitted: " not in html
    assert _ids(response) == _expected()[:25]


def test_a_dashboard_figures_list_is_counted_to_the_end(client_bureau, forums, monkeypatch):
    """Its totals equal the figure clicked, however many (docs/guide-bureau-viewer.md)."""
    monkeypatch.setattr(keyset_module, "COUNT_CAP", 40)
    drill_down = {"status": "counted", "as_of": "2026-06-30", "date_from": "2026-01-01"}
    html = client_bureau.get(LIST, drill_down).content.decode()
    assert "70 activities match" in html and "More than" not in html
    assert "Submitted: 70" in html


def test_a_sort_by_title_is_counted_exactly_by_the_roll_up(client_bureau, forums, monkeypatch):
    monkeypatch.setattr(keyset_module, "COUNT_CAP", 40)
    response = client_bureau.get(LIST, {"sort": "-title"})
    html = response.content.decode()
    assert "70 activities match" in html and "More than" not in html
    expected = list(
        Activity.objects.order_by("-title", "occurred_on", "pk").values_list("pk", flat=True)
    )
    assert _ids(response) == expected[:25]
    assert _ids(client_bureau.get(f"{LIST}?{_link(html, 'Next page')}")) == expected[25:50]


@pytest.mark.parametrize("cursor", ["nonsense", "eyJvIjoi:1abc:xyz"])
def test_a_bad_cursor_shows_the_first_page_and_says_so(client_bureau, forums, cursor):
    response = client_bureau.get(LIST, {"q": "forum", "cursor": cursor})
    assert response.status_code == 200
    assert _ids(response) == _expected()[:25]
    assert "That link to a page of the list no longer works" in response.content.decode()


def test_a_cursor_of_another_sort_shows_the_first_page(client_bureau, forums):
    html = client_bureau.get(LIST, {"q": "forum"}).content.decode()
    cursor = re.search(r"cursor=([^&\"]+)", _link(html, "Next page")).group(1)
    response = client_bureau.get(LIST, {"q": "forum", "sort": "title", "cursor": cursor})
    assert response.status_code == 200
    assert "no longer works" in response.content.decode()


def test_an_old_page_number_still_works_and_links_on_by_cursor(client_bureau, forums):
    expected = _expected()
    second = client_bureau.get(LIST, {"q": "forum", "page": 2})
    assert _ids(second) == expected[25:50]
    third = client_bureau.get(f"{LIST}?{_link(second.content.decode(), 'Next page')}")
    assert _ids(third) == expected[50:]
    past = client_bureau.get(LIST, {"q": "forum", "page": 9})  # past the end: the last page
    assert _ids(past) == expected[-25:]


@pytest.mark.parametrize("page", ["²", "99999999999999999999999", "-3", "1e3"])
def test_a_page_number_that_is_not_one_shows_the_first_page(client_bureau, forums, page):
    response = client_bureau.get(LIST, {"q": "forum", "page": page})
    assert response.status_code == 200
    assert _ids(response) == _expected()[:25]


def test_a_cursor_of_another_search_shows_the_first_page(client_bureau, forums):
    html = client_bureau.get(LIST, {"q": "forum"}).content.decode()
    cursor = re.search(r"cursor=([^&\"]+)", _link(html, "Next page")).group(1)
    response = client_bureau.get(LIST, {"q": "business", "cursor": unescape(cursor)})
    assert "no longer works" in response.content.decode()


def test_a_next_page_whose_rows_left_the_list_is_its_last_page(client_bureau, forums):
    """Submitting a page from a list of drafts, say: the link after it still leads on."""
    expected = _expected()
    second = client_bureau.get(LIST, {"q": "forum", "page": 2}).content.decode()
    following = f"{LIST}?{_link(second, 'Next page')}"
    Activity.objects.filter(pk__in=expected[50:]).update(
        removed_at=dt.datetime.now(dt.UTC), removed_by=F("created_by"), removal_reason="Test"
    )
    response = client_bureau.get(following)
    assert _ids(response) == expected[25:50]
    html = response.content.decode()
    assert _link(html, "Previous page") and not _link(html, "Next page")


def test_a_cursor_shows_only_what_the_person_may_see(client_staff_b, forums):
    response = client_staff_b.get(LIST, {"q": "forum"})
    assert _ids(response) == []
    assert "0 activities match" in response.content.decode()


def test_the_search_page_query_count(client_bureau, forums, django_assert_num_queries):
    first = client_bureau.get(LIST, {"q": "forum"})
    following = f"{LIST}?{_link(first.content.decode(), 'Next page')}"
    # session, user; the cursor's row (its keys); the page's ids, then its rows; the count
    # with the totals (up to the cap); the filter's choices: indicators (twice: totals and
    # the field), offices, regions; the session save (savepoint, update, release)
    with django_assert_num_queries(13) as captured:
        client_bureau.get(following)
    assert "capped" in " ".join(q["sql"] for q in captured.captured_queries)


# --- the API ----------------------------------------------------------------------------------


def test_the_api_pages_a_search_by_cursor_links(reader, forums):
    expected = _expected()
    first = reader.get(API, {"q": "forum", "page_size": 20}).json()
    assert [a["id"] for a in first["results"]] == expected[:20]
    assert first["count"] == 60 and first["count_is_capped"] is False
    assert first["previous"] is None and "cursor=" in first["next"]
    assert "q=forum" in first["next"] and "page_size=20" in first["next"]
    second = reader.get(first["next"]).json()
    assert [a["id"] for a in second["results"]] == expected[20:40]
    back = reader.get(second["previous"]).json()
    assert [a["id"] for a in back["results"]] == expected[:20]
    third = reader.get(second["next"]).json()
    assert [a["id"] for a in third["results"]] == expected[40:]
    assert third["next"] is None


def test_the_api_count_is_capped(reader, forums, monkeypatch):
    monkeypatch.setattr(keyset_module, "COUNT_CAP", 40)
    body = reader.get(API, {"q": "forum"}).json()
    assert body["count"] == 40 and body["count_is_capped"] is True
    numbered = reader.get(API).json()  # counted by the roll-up
    assert numbered["count"] == 70 and numbered["count_is_capped"] is False
    assert "page=2" in numbered["next"]


@pytest.mark.parametrize("cursor", ["nonsense", "", "eyJvIjoi:1abc:xyz"])
def test_the_api_refuses_a_bad_cursor(reader, forums, cursor):
    response = reader.get(API, {"q": "forum", "cursor": cursor or "x"})
    assert response.status_code == 400
    assert "cursor" in response.json()


def test_the_api_still_reads_page_numbers(reader, forums):
    expected = _expected()
    second = reader.get(API, {"q": "forum", "page": 2, "page_size": 20})
    assert [a["id"] for a in second.json()["results"]] == expected[20:40]
    assert "cursor=" in second.json()["next"] and "page=" not in second.json()["next"]
    last = reader.get(API, {"q": "forum", "page": "last", "page_size": 25})
    assert [a["id"] for a in last.json()["results"]] == expected[-25:]
    for page in (4, 0, "x"):
        past = reader.get(API, {"q": "forum", "page": page, "page_size": 20})
        assert past.status_code == 404, page


@pytest.mark.parametrize("page", ["²", "99999999999999999999999"])
def test_the_api_answers_a_page_number_that_is_not_one_with_404(reader, forums, page):
    assert reader.get(API, {"q": "forum", "page": page}).status_code == 404


def test_the_api_refuses_a_cursor_of_another_search(reader, forums):
    following = reader.get(API, {"q": "forum", "page_size": 20}).json()["next"]
    cursor = re.search(r"cursor=([^&]+)", following).group(1)
    response = reader.get(f"{API}?q=business&cursor={cursor}")
    assert response.status_code == 400 and "cursor" in response.json()


def test_the_api_search_query_count(reader, forums, django_assert_num_queries):
    reader.get(API)  # the token's first use records last_used_at (once a minute)
    first = reader.get(API, {"q": "forum", "page_size": 20}).json()
    # token with its user; the cursor's row (its keys); the page's ids, then its rows with
    # lead office, indicator, region and people; participating offices, counterparts,
    # partners; the count with the totals (up to the cap)
    with django_assert_num_queries(8):
        reader.get(first["next"])
