"""Targets administration (docs/guide-bureau-admin.md, "Targets"): the office × indicator
grid, the warning when office shares fall short of the bureau target, copying a year
forward, the reason a started year's changes need, the history, all-or-nothing validation,
who may do what, and a fixed number of queries per page.

Today is 15 June 2026 in Hong Kong: 2026 has started, 2027 has not."""

import datetime as dt
import html
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from offices.models import AnnualTarget, Office, OfficeTarget
from offices.targets import rules as target_rules
from offices.targets import services as target_services
from offices.tests.factories import (
    AnnualTargetFactory,
    IndicatorFactory,
    OfficeFactory,
    OfficeTargetFactory,
)

HK = ZoneInfo("Asia/Hong_Kong")
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def visits(indicator):
    return indicator


@pytest.fixture
def speeches(visits):
    """Shown after visits."""
    return IndicatorFactory(
        code="speeches", name_en="Speeches", display_order=visits.display_order + 1
    )


@pytest.fixture
def grid_setup(office_a, unit_a, office_b, visits, speeches):
    """Two Mainland Offices (office A with a liaison unit), two indicators."""
    return {"office_a": office_a, "office_b": office_b, "visits": visits, "speeches": speeches}


def grid_url(year):
    return reverse("targets:year", args=[year])


def history_url(year):
    return reverse("targets:history", args=[year])


def copy_url(year):
    return reverse("targets:copy", args=[year])


def form_data(client, year, **changes):
    """What the browser submits: every cell as the page shows it, then the changes
    (field name → value)."""
    form = client.get(grid_url(year)).context["form"]
    data = {bf.html_name: "" if bf.value() is None else str(bf.value()) for bf in form}
    data.update({name: str(value) for name, value in changes.items()})
    return data


def bureau(indicator):
    return target_rules.bureau_key(indicator.pk)


def share(office, indicator):
    return target_rules.share_key(office.pk, indicator.pk)


def text(response) -> str:
    """The page's text with tags dropped and white space collapsed, as a reader sees it."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


# --- the year -------------------------------------------------------------------------


def test_targets_opens_this_year(client_admin):
    assert client_admin.get(reverse("targets:year")).url == grid_url(2026)


def test_year_selector_opens_the_year_chosen(client_admin):
    assert client_admin.get(reverse("targets:year"), {"year": "2027"}).url == grid_url(2027)
    assert client_admin.get(reverse("targets:year"), {"year": "abc"}).url == grid_url(2026)
    assert client_admin.get(reverse("targets:year"), {"year": "1850"}).url == grid_url(2026)
    response = client_admin.get(reverse("targets:year"), {"year": "2025", "view": "history"})
    assert response.url == history_url(2025)


def test_year_page_links_to_previous_and_next_year(client_admin, grid_setup):
    response = client_admin.get(grid_url(2026))
    html = response.content.decode()
    assert f'href="{grid_url(2025)}" rel="prev"' in html
    assert f'href="{grid_url(2027)}" rel="next"' in html
    assert '<option value="2026" selected>' in html


def test_year_out_of_range_is_not_found(client_admin):
    assert client_admin.get("/targets/1999/").status_code == 404
    assert client_admin.get("/targets/2101/history/").status_code == 404


# --- the grid -------------------------------------------------------------------------


def test_grid_has_a_bureau_row_and_one_row_per_mainland_office(client_admin, grid_setup):
    OfficeFactory(code="CLOSED", name_en="Closed Office", is_active=False)
    response = client_admin.get(grid_url(2026))
    page = text(response)
    assert "Bureau-wide target" in page
    assert "Office A" in page and "Office B" in page
    assert "Unit A1" not in page  # units roll up into their office: no row of their own
    assert "Closed Office" not in page
    assert "An office with no share of its own is measured against the bureau target only" in (page)
    html = response.content.decode()
    # Every input has a label naming its office and indicator.
    field = share(grid_setup["office_b"], grid_setup["speeches"])
    assert (
        f'<label class="visually-hidden" for="id_{field}">Office B — Speeches target</label>'
        in (html)
    )
    assert re.search(rf'<input type="number" name="{field}" inputmode="numeric"[^>]* min="1"', html)


def test_admin_saves_a_grid(client_admin, grid_setup, bureau_admin):
    a, b, visits, speeches = (grid_setup[k] for k in ("office_a", "office_b", "visits", "speeches"))
    data = form_data(
        client_admin,
        2027,
        **{bureau(visits): 100, bureau(speeches): 40, share(a, visits): 60, share(b, visits): 40},
    )
    response = client_admin.post(grid_url(2027), data, follow=True)

    assert response.redirect_chain == [(grid_url(2027), 302)]
    assert "Saved 4 changes to the targets for 2027." in text(response)
    assert dict(AnnualTarget.objects.filter(year=2027).values_list("indicator_id", "target")) == {
        visits.pk: 100,
        speeches.pk: 40,
    }
    assert set(
        OfficeTarget.objects.filter(year=2027).values_list("office_id", "indicator_id", "target")
    ) == {(a.pk, visits.pk, 60), (b.pk, visits.pk, 40)}
    # The page shows what was saved, and that visits' shares add up.
    form = response.context["form"]
    assert form[share(a, visits)].value() == 60
    assert form[share(b, speeches)].value() is None
    assert "Equal to the bureau target" in text(response)
    assert AnnualTarget.history.filter(year=2027).first().history_user == bureau_admin


def test_saving_an_unchanged_grid_changes_nothing(client_admin, grid_setup):
    AnnualTargetFactory(year=2026, indicator=grid_setup["visits"], target=100)
    response = client_admin.post(grid_url(2026), form_data(client_admin, 2026), follow=True)
    assert "Nothing changed." in text(response)
    assert AnnualTarget.history.count() == 1  # the factory's creation only


def test_warns_in_words_when_shares_fall_short_of_the_bureau_target(client_admin, grid_setup):
    a, b, visits, speeches = (grid_setup[k] for k in ("office_a", "office_b", "visits", "speeches"))
    AnnualTargetFactory(year=2026, indicator=visits, target=100)
    OfficeTargetFactory(year=2026, indicator=visits, office=a, target=30)
    OfficeTargetFactory(year=2026, indicator=visits, office=b, target=50)
    AnnualTargetFactory(year=2026, indicator=speeches, target=10)

    page = text(client_admin.get(grid_url(2026)))

    assert "Warning: the office shares do not add up" in page
    assert (
        "Visits: the office shares add up to 80, short of the bureau target of 100 by 20." in page
    )
    assert "Warning: short of the bureau target by 20" in page  # in the sum row, too
    # Speeches has no shares: its offices are measured against the bureau target.
    assert "No office shares" in page
    assert "Speeches: the office shares" not in page


def test_notes_when_shares_exceed_or_have_no_bureau_target(client_admin, grid_setup):
    a, visits, speeches = grid_setup["office_a"], grid_setup["visits"], grid_setup["speeches"]
    AnnualTargetFactory(year=2026, indicator=visits, target=100)
    OfficeTargetFactory(year=2026, indicator=visits, office=a, target=130)
    OfficeTargetFactory(year=2026, indicator=speeches, office=a, target=5)

    page = text(client_admin.get(grid_url(2026)))

    assert "Note: Visits: the office shares add up to 130, more than the bureau target" in page
    assert "Note: 30 more than the bureau target" in page
    assert "Speeches: the office shares add up to 5, but there is no bureau target." in page
    assert "Warning: no bureau target" in page


def test_no_warning_when_shares_match(client_admin, grid_setup):
    a, b, visits = grid_setup["office_a"], grid_setup["office_b"], grid_setup["visits"]
    AnnualTargetFactory(year=2026, indicator=visits, target=100)
    OfficeTargetFactory(year=2026, indicator=visits, office=a, target=70)
    OfficeTargetFactory(year=2026, indicator=visits, office=b, target=30)
    page = text(client_admin.get(grid_url(2026)))
    assert "Warning" not in page
    assert "Equal to the bureau target" in page


# --- a started year needs a reason --------------------------------------------------------


@pytest.mark.parametrize("change", ["change", "add", "remove"])
def test_a_change_in_a_started_year_needs_a_reason(client_admin, grid_setup, change):
    a, visits = grid_setup["office_a"], grid_setup["visits"]
    AnnualTargetFactory(year=2026, indicator=visits, target=100)
    OfficeTargetFactory(year=2026, indicator=visits, office=a, target=60)
    edit = {
        "change": {bureau(visits): 120},
        "add": {share(grid_setup["office_b"], visits): 40},
        "remove": {share(a, visits): ""},
    }[change]

    response = client_admin.post(grid_url(2026), form_data(client_admin, 2026, **edit))

    assert response.status_code == 400
    assert (
        "2026 has started: give the reason for the change."
        in (response.context["form"].errors["reason"][0])
    )
    assert "There is a problem" in text(response)
    assert AnnualTarget.objects.get(year=2026).target == 100
    assert list(OfficeTarget.objects.values_list("office_id", "target")) == [(a.pk, 60)]


def test_history_shows_old_and_new_value_reason_and_who(client_admin, grid_setup, bureau_admin):
    visits = grid_setup["visits"]
    AnnualTargetFactory(year=2026, indicator=visits, target=100)
    data = form_data(
        client_admin, 2026, **{bureau(visits): 120, "reason": "Mid-year review by the SCMA"}
    )
    assert client_admin.post(grid_url(2026), data).status_code == 302
    assert AnnualTarget.objects.get(year=2026).target == 120

    response = client_admin.get(history_url(2026))

    newest, first = response.context["entries"]
    assert (newest.old, newest.new, newest.reason, newest.who) == (
        100,
        120,
        "Mid-year review by the SCMA",
        bureau_admin,
    )
    assert (first.old, first.new) == (None, 100)
    page = text(response)
    who = bureau_admin.get_full_name()
    assert f"Bureau-wide — Visits 100 → 120 Mid-year review by the SCMA {who}" in page
    assert "2026-06-15 10:00" in page  # Hong Kong time


def test_a_future_year_change_needs_no_reason(client_admin, grid_setup):
    visits = grid_setup["visits"]
    AnnualTargetFactory(year=2027, indicator=visits, target=100)
    data = form_data(client_admin, 2027, **{bureau(visits): 150})
    assert client_admin.post(grid_url(2027), data).status_code == 302
    assert AnnualTarget.objects.get(year=2027).target == 150


def test_a_year_starts_on_1_january_hong_kong_time(frozen):
    # 31 December 2026, 23:30 in Hong Kong: 2027 has not started (it has, in UTC+14).
    frozen.move_to(dt.datetime(2026, 12, 31, 23, 30, tzinfo=HK))
    assert not target_rules.year_has_started(2027)
    frozen.move_to(dt.datetime(2027, 1, 1, 0, 0, tzinfo=HK))
    assert target_rules.year_has_started(2027)


def test_a_cleared_share_is_deleted_and_shown_in_the_history(client_admin, grid_setup):
    a, visits = grid_setup["office_a"], grid_setup["visits"]
    OfficeTargetFactory(year=2026, indicator=visits, office=a, target=60)
    data = form_data(
        client_admin, 2026, **{share(a, visits): "", "reason": "Office A's share withdrawn"}
    )

    assert client_admin.post(grid_url(2026), data).status_code == 302

    assert not OfficeTarget.objects.exists()
    response = client_admin.get(history_url(2026))
    removal = response.context["entries"][0]
    assert (removal.office, removal.old, removal.new, removal.kind) == (a, 60, None, "-")
    assert removal.reason == "Office A's share withdrawn"
    assert "Office A — Visits 60 → removed Office A's share withdrawn" in text(response)


def test_a_reason_too_long_for_the_history_is_refused(client_admin, grid_setup):
    visits = grid_setup["visits"]
    data = form_data(client_admin, 2026, **{bureau(visits): 10, "reason": "x" * 101})
    response = client_admin.post(grid_url(2026), data)
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    assert not AnnualTarget.objects.exists()


# --- all or nothing -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "Enter a whole number of 1 or more."),
        ("-1", "Enter a whole number of 1 or more."),
        ("abc", "Enter a whole number."),
        ("2.5", "Enter a whole number."),
        (str(10**7), "Enter a number no larger than 1,000,000."),
    ],
)
def test_invalid_input_is_refused_and_nothing_is_saved(client_admin, grid_setup, value, message):
    a, visits, speeches = grid_setup["office_a"], grid_setup["visits"], grid_setup["speeches"]
    data = form_data(
        client_admin,
        2027,
        **{bureau(visits): 100, bureau(speeches): 20, share(a, visits): value},
    )

    response = client_admin.post(grid_url(2027), data)

    assert response.status_code == 400
    assert response.context["form"].errors == {share(a, visits): [message]}
    html = response.content.decode()
    # Summarised at the top with a link to the cell, and next to the cell itself.
    assert f'<a href="#id_{share(a, visits)}">Office A — Visits target: {message}</a>' in html
    assert f'<p class="field__error" id="id_{share(a, visits)}_error">{message}</p>' in html
    assert 'aria-invalid="true"' in html
    # The valid cells were not saved either.
    assert not AnnualTarget.objects.exists()
    assert not OfficeTarget.objects.exists()


def test_service_refuses_invalid_values_and_writes_nothing(bureau_admin, grid_setup):
    a, b, visits = grid_setup["office_a"], grid_setup["office_b"], grid_setup["visits"]
    with pytest.raises(ValidationError) as caught:
        target_services.targets_save(
            user=bureau_admin,
            year=2027,
            bureau={visits.pk: 100},
            shares={(a.pk, visits.pk): 10**7, (b.pk, visits.pk): 0},
            reason="",
        )
    assert set(caught.value.message_dict) == {share(a, visits), share(b, visits)}
    assert not AnnualTarget.objects.exists()
    assert not OfficeTarget.objects.exists()


def test_service_refuses_offices_that_are_not_in_the_grid(bureau_admin, grid_setup, unit_a):
    with pytest.raises(ValidationError):
        target_services.targets_save(
            user=bureau_admin,
            year=2027,
            bureau={grid_setup["visits"].pk: 100},
            shares={(unit_a.pk, grid_setup["visits"].pk): 10},
        )
    assert not AnnualTarget.objects.exists()


@pytest.mark.parametrize("persona", ["bureau_viewer", "staff_a", "supervisor_a"])
def test_only_bureau_admins_may_save(request, grid_setup, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        target_services.targets_save(
            user=user, year=2027, bureau={grid_setup["visits"].pk: 1}, shares={}
        )
    with pytest.raises(PermissionDenied):
        target_services.targets_copy_forward(user=user, year=2027)
    assert not AnnualTarget.objects.exists()


# --- copy forward -------------------------------------------------------------------------


@pytest.fixture
def year_2026(grid_setup):
    a, b, visits, speeches = (grid_setup[k] for k in ("office_a", "office_b", "visits", "speeches"))
    AnnualTargetFactory(year=2026, indicator=visits, target=100)
    AnnualTargetFactory(year=2026, indicator=speeches, target=50)
    OfficeTargetFactory(year=2026, indicator=visits, office=a, target=60)
    OfficeTargetFactory(year=2026, indicator=visits, office=b, target=40)
    return grid_setup


def test_copy_forward_fills_empty_cells_only(client_admin, year_2026):
    a, b, visits, speeches = (year_2026[k] for k in ("office_a", "office_b", "visits", "speeches"))
    AnnualTargetFactory(year=2027, indicator=visits, target=120)
    OfficeTargetFactory(year=2027, indicator=visits, office=a, target=70)

    confirm = client_admin.get(copy_url(2027))
    assert [(i.office, i.indicator, i.target) for i in confirm.context["items"]] == [
        (None, speeches, 50),
        (b, visits, 40),
    ]
    page = text(confirm)
    assert "2 targets will be copied" in page
    assert "a target already set for 2027 is never overwritten" in page
    assert "Copy 2 targets into 2027" in page
    assert AnnualTarget.objects.filter(year=2027).count() == 1  # nothing copied by looking

    response = client_admin.post(copy_url(2027), follow=True)

    assert "Copied 2 targets from 2026 into 2027." in text(response)
    assert dict(AnnualTarget.objects.filter(year=2027).values_list("indicator_id", "target")) == {
        visits.pk: 120,  # kept
        speeches.pk: 50,  # copied
    }
    assert set(
        OfficeTarget.objects.filter(year=2027).values_list("office_id", "indicator_id", "target")
    ) == {(a.pk, visits.pk, 70), (b.pk, visits.pk, 40)}
    assert OfficeTarget.history.filter(year=2027, office=b).get().history_change_reason == (
        "Copied from 2026"
    )
    # Again: nothing left to copy, nothing changes.
    response = client_admin.post(copy_url(2027), follow=True)
    assert "Nothing to copy" in text(response)
    assert AnnualTarget.objects.filter(year=2027).count() == 2


def test_copy_into_a_started_year_needs_a_reason(client_admin, grid_setup):
    visits = grid_setup["visits"]
    AnnualTargetFactory(year=2025, indicator=visits, target=90)

    response = client_admin.post(copy_url(2026))
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    assert not AnnualTarget.objects.filter(year=2026).exists()

    client_admin.post(copy_url(2026), {"reason": "Targets for 2026 were never entered"})
    assert AnnualTarget.objects.get(year=2026).target == 90
    assert AnnualTarget.history.get(year=2026).history_change_reason == (
        "Targets for 2026 were never entered"
    )


# --- who may do what ----------------------------------------------------------------------


def test_bureau_viewer_sees_the_grid_and_history_read_only(client_bureau, year_2026):
    response = client_bureau.get(grid_url(2026))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<input" not in html.split('<main id="main"')[1]
    assert 'method="post"' not in html.split('<main id="main"')[1]
    assert "Copy from 2025" not in html
    page = text(response)
    assert "Only bureau admins change targets." in page
    assert "Office A 60" in page  # the values, as text
    assert client_bureau.get(history_url(2026)).status_code == 200
    # No writing through the back door.
    post = client_bureau.post(grid_url(2026), {bureau(year_2026["visits"]): "1"})
    assert post.status_code == 403
    assert client_bureau.get(copy_url(2027)).status_code == 403
    assert client_bureau.post(copy_url(2027)).status_code == 403
    assert AnnualTarget.objects.get(year=2026, indicator=year_2026["visits"]).target == 100


@pytest.mark.parametrize("persona", ["client_staff_a", "client_supervisor_a", "client_staff_b"])
@pytest.mark.parametrize(
    "url", ["/targets/", "/targets/2026/", "/targets/2026/history/", "/targets/2027/copy/"]
)
def test_office_staff_may_not_open_targets(request, persona, url, grid_setup):
    client = request.getfixturevalue(persona)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code in (403, 405)


@pytest.mark.parametrize(
    "url", ["/targets/", "/targets/2026/", "/targets/2026/history/", "/targets/2027/copy/"]
)
def test_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_nav_link_for_the_bureau_only(client, bureau_admin, bureau_viewer, staff_a):
    # viewers may read the targets, so they get the link too; office staff do not
    for user, shown in ((bureau_admin, True), (bureau_viewer, True), (staff_a, False)):
        client.force_login(user)
        page = client.get(reverse("activities:list")).content.decode()
        assert ('href="/targets/"' in page) is shown, user.username


# --- queries ------------------------------------------------------------------------------


def _add_offices_indicators_and_targets(year: int, offices: int, indicators: int) -> None:
    new_offices = [OfficeFactory() for _ in range(offices)]
    new_indicators = [IndicatorFactory() for _ in range(indicators)]
    for indicator in new_indicators:
        AnnualTargetFactory(year=year, indicator=indicator, target=50)
        for office in new_offices:
            OfficeTargetFactory(year=year, indicator=indicator, office=office, target=10)


@pytest.mark.parametrize("persona", ["client_admin", "client_bureau"])
def test_grid_query_count(request, persona, year_2026, django_assert_num_queries):
    client = request.getfixturevalue(persona)
    # session, user (with office); offices; indicators with their bureau target and the sum
    # and count of their shares; shares; saving the session (SESSION_SAVE_EVERY_REQUEST:
    # savepoint, update, release)
    with django_assert_num_queries(8):
        assert client.get(grid_url(2026)).status_code == 200
    _add_offices_indicators_and_targets(2026, offices=3, indicators=4)
    assert Office.objects.top_level().count() == 5
    with django_assert_num_queries(8):
        assert client.get(grid_url(2026)).status_code == 200


def test_history_query_count(
    client_bureau, client_admin, year_2026, django_assert_num_queries, frozen
):
    # session, user (with office); bureau-target versions (with indicator and user);
    # office-share versions (with indicator, office and user); saving the session
    # (savepoint, update, release)
    with django_assert_num_queries(7):
        response = client_bureau.get(history_url(2026))
    assert len(response.context["entries"]) == 4

    _add_offices_indicators_and_targets(2026, offices=2, indicators=3)
    visits = year_2026["visits"]
    for value in (110, 120, 130):
        frozen.shift(dt.timedelta(minutes=5))
        client_admin.post(
            grid_url(2026),
            form_data(client_admin, 2026, **{bureau(visits): value, "reason": "Review"}),
        )
    with django_assert_num_queries(7):
        response = client_bureau.get(history_url(2026))
    entries = response.context["entries"]
    assert len(entries) == 4 + 3 + 6 + 3
    assert [(e.old, e.new) for e in entries[:3]] == [(120, 130), (110, 120), (100, 110)]


def test_copy_page_query_count(client_admin, year_2026, django_assert_num_queries):
    # session, user; previous year's bureau targets to copy; its office shares to copy;
    # saving the session (savepoint, update, release)
    with django_assert_num_queries(7):
        client_admin.get(copy_url(2027))
    _add_offices_indicators_and_targets(2026, offices=2, indicators=2)
    with django_assert_num_queries(7):
        client_admin.get(copy_url(2027))


def test_the_history_reads_in_chinese_with_thousands_and_hong_kong_time(
    client_admin, grid_setup, bureau_admin
):
    visits = grid_setup["visits"]
    AnnualTargetFactory(year=2026, indicator=visits, target=1000)
    data = form_data(client_admin, 2026, **{bureau(visits): 1200, "reason": "中期檢討"})
    assert client_admin.post(grid_url(2026), data).status_code == 302
    client_admin.cookies["django_language"] = "zh-hant"
    page = text(client_admin.get(history_url(2026)))
    assert "時間 目標 修改內容 原因 修改人員" in page  # what changed, not "switch"
    who = bureau_admin.get_full_name()
    assert f"2026-06-15 10:00 局方整體 — 拜訪 1,000 → 1,200 中期檢討 {who}" in page
