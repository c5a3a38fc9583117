"""Two bureau admins on the same year's grid: the second to save is refused, and the grid
comes back merged three ways: cells only the colleague changed take the new value, the
person's own entries stay, and a cell both changed is a labelled choice. Saving again never
puts back a value the person did not change.

Today is 15 June 2026 in Hong Kong: 2027 has not started (no reason needed), 2026 has."""

import html
import re
import threading
from zoneinfo import ZoneInfo

import pytest
from django import db, forms
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import UserFactory
from common.merge import three_way
from offices.models import AnnualTarget, OfficeTarget
from offices.targets import conflicts as target_conflicts
from offices.targets import rules as target_rules
from offices.targets import services as target_services
from offices.tests.factories import AnnualTargetFactory, IndicatorFactory, OfficeTargetFactory

HK = ZoneInfo("Asia/Hong_Kong")
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def colleague(db):
    return UserFactory(
        username="colleague", first_name="Mei", last_name="Chan", role=Role.BUREAU_ADMIN
    )


@pytest.fixture
def grid(office_a, office_b, indicator):
    """2027: visits 100 bureau-wide, office A's share 60; speeches 50, no shares."""
    speeches = IndicatorFactory(
        code="speeches", name_en="Speeches", display_order=indicator.display_order + 1
    )
    AnnualTargetFactory(year=2027, indicator=indicator, target=100)
    AnnualTargetFactory(year=2027, indicator=speeches, target=50)
    OfficeTargetFactory(year=2027, indicator=indicator, office=office_a, target=60)
    return {"visits": indicator, "speeches": speeches, "a": office_a, "b": office_b}


def url(year=2027):
    return reverse("targets:year", args=[year])


def bureau(indicator):
    return target_rules.bureau_key(indicator.pk)


def share(office, indicator):
    return target_rules.share_key(office.pk, indicator.pk)


def as_submitted(form) -> dict:
    """What the browser sends for the grid as the page shows it."""
    data = {}
    for bound in form:
        value = bound.value()
        if value is None and isinstance(bound.field.widget, forms.RadioSelect):
            continue  # no radio button chosen
        data[bound.html_name] = "" if value is None else str(value)
    return data


def opened(client, year=2027) -> dict:
    return as_submitted(client.get(url(year)).context["form"])


def colleague_saves(user, year=2027, **cells):
    """Another admin saves a few cells (key → value) from a grid opened just now."""
    bureau_cells, share_cells = {}, {}
    for key, value in cells.items():
        parts = key.split("-")
        if parts[0] == "bureau":
            bureau_cells[int(parts[1])] = value
        else:
            share_cells[(int(parts[1]), int(parts[2]))] = value
    target_services.targets_save(
        user=user, year=year, bureau=bureau_cells, shares=share_cells, reason="Review"
    )


def target(office, indicator, year=2027):
    model = AnnualTarget if office is None else OfficeTarget
    found = model.objects.filter(year=year, indicator=indicator)
    if office is not None:
        found = found.filter(office=office)
    row = found.first()
    return row.target if row else None


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


# --- one changes one cell, the other another ---------------------------------------------------

COLLEAGUE_CHANGES = {
    "bureau target raised": lambda g: (None, g["visits"], 150),
    "share changed": lambda g: (g["a"], g["visits"], 70),
    "share added": lambda g: (g["b"], g["visits"], 40),
    "share cleared": lambda g: (g["a"], g["visits"], None),
    "bureau target cleared": lambda g: (None, g["speeches"], None),
}


@pytest.mark.parametrize("change", list(COLLEAGUE_CHANGES))
def test_saving_again_keeps_the_cell_a_colleague_changed(client_admin, colleague, grid, change):
    office, indicator, value = COLLEAGUE_CHANGES[change](grid)
    key = bureau(indicator) if office is None else share(office, indicator)
    data = opened(client_admin)
    colleague_saves(colleague, **{key: value})

    data[share(grid["b"], grid["speeches"])] = "20"  # the person's own change
    refused = client_admin.post(url(), data)

    assert refused.status_code == 409
    assert target(grid["b"], grid["speeches"]) is None  # nothing of theirs saved yet
    assert 'type="radio"' not in refused.content.decode()  # nothing to choose

    saved = client_admin.post(url(), as_submitted(refused.context["form"]))

    assert saved.status_code == 302
    assert target(office, indicator) == value
    assert target(grid["b"], grid["speeches"]) == 20


def test_the_notice_says_who_changed_what_and_when(client_admin, colleague, grid):
    data = opened(client_admin)
    colleague_saves(colleague, **{bureau(grid["visits"]): 1500})
    data[bureau(grid["speeches"])] = "55"

    refused = client_admin.post(url(), data)

    page = text(refused)
    assert "Someone else changed these targets after you opened the page" in page
    assert "Bureau-wide — Visits" in page
    assert "Mei Chan changed it at 2026-06-15 10:00 from 100 to 1,500." in page
    assert "You had not changed it: the grid now shows their value." in page
    form = refused.context["form"]
    assert form[bureau(grid["visits"])].value() == 1500
    assert form[bureau(grid["speeches"])].value() == 55


# --- both change the same cell -------------------------------------------------------------


@pytest.fixture
def both_changed(client_admin, colleague, grid):
    """The colleague raises visits to 150; the person, on the old grid, to 200."""
    data = opened(client_admin)
    colleague_saves(colleague, **{bureau(grid["visits"]): 150})
    data[bureau(grid["visits"])] = "200"
    data[share(grid["b"], grid["visits"])] = "40"
    return client_admin.post(url(), data)


def test_a_cell_both_changed_is_a_labelled_choice(both_changed, grid):
    assert both_changed.status_code == 409
    form = both_changed.context["form"]
    key = bureau(grid["visits"])
    [choice] = form.choices_to_make
    assert choice.name == f"choice-{key}"
    labels = dict(choice.field.choices)
    assert labels == {
        "mine": "Keep yours: 200",
        "theirs": "Take the one Mei Chan saved at 2026-06-15 10:00: 150",
    }
    page = both_changed.content.decode()
    assert f"<legend>Bureau-wide — {grid['visits'].name} target</legend>" in page
    assert f'type="hidden" name="{key}" value="200"' in page
    assert "When you opened the grid: 100" in page
    assert target(None, grid["visits"]) == 150


@pytest.mark.parametrize("choice, value", [("mine", 200), ("theirs", 150)])
def test_each_choice_saves_what_it_says(client_admin, both_changed, grid, choice, value):
    data = as_submitted(both_changed.context["form"])
    data[f"choice-{bureau(grid['visits'])}"] = choice

    assert client_admin.post(url(), data).status_code == 302

    assert target(None, grid["visits"]) == value
    assert target(grid["b"], grid["visits"]) == 40


def test_nothing_is_saved_until_the_person_chooses(client_admin, both_changed, grid):
    again = client_admin.post(url(), as_submitted(both_changed.context["form"]))

    assert again.status_code == 400
    assert target(None, grid["visits"]) == 150
    assert target(grid["b"], grid["visits"]) is None
    key = bureau(grid["visits"])
    assert f'href="#id_choice-{key}">' in again.content.decode()
    assert "Choose which value to keep." in text(again)
    labels = dict(again.context["form"][f"choice-{key}"].field.choices)
    assert labels["theirs"] == "Take the one Mei Chan saved at 2026-06-15 10:00: 150"


def test_a_cell_both_changed_to_the_same_value_is_not_a_choice(client_admin, colleague, grid):
    data = opened(client_admin)
    colleague_saves(colleague, **{bureau(grid["visits"]): 150})
    data[bureau(grid["visits"])] = "150"

    refused = client_admin.post(url(), data)

    assert refused.context["form"].choices_to_make == []
    assert "You made the same change." in text(refused)


# --- a third change between the refusal and the new save --------------------------------------


def test_a_third_change_is_refused_again_and_not_reverted(client_admin, colleague, grid):
    data = opened(client_admin)
    colleague_saves(colleague, **{bureau(grid["visits"]): 150})
    data[bureau(grid["speeches"])] = "55"
    refused = client_admin.post(url(), data)
    colleague_saves(
        colleague, **{bureau(grid["visits"]): 175, share(grid["a"], grid["visits"]): 65}
    )

    again = client_admin.post(url(), as_submitted(refused.context["form"]))

    assert again.status_code == 409
    assert target(None, grid["visits"]) == 175
    assert target(grid["a"], grid["visits"]) == 65
    assert target(None, grid["speeches"]) == 50
    assert client_admin.post(url(), as_submitted(again.context["form"])).status_code == 302
    assert (target(None, grid["visits"]), target(grid["a"], grid["visits"])) == (175, 65)
    assert target(None, grid["speeches"]) == 55


def test_taking_theirs_then_a_third_change_takes_the_latest(
    client_admin, colleague, both_changed, grid
):
    data = as_submitted(both_changed.context["form"])
    data[f"choice-{bureau(grid['visits'])}"] = "theirs"
    colleague_saves(colleague, **{bureau(grid["visits"]): 175})

    again = client_admin.post(url(), data)

    assert again.status_code == 409
    assert again.context["form"].choices_to_make == []
    assert again.context["form"][bureau(grid["visits"])].value() == 175
    assert client_admin.post(url(), as_submitted(again.context["form"])).status_code == 302
    assert target(None, grid["visits"]) == 175
    assert target(grid["b"], grid["visits"]) == 40


def test_a_started_year_keeps_the_reason_through_the_refusal(client_admin, colleague, grid):
    AnnualTargetFactory(year=2026, indicator=grid["visits"], target=100)
    data = opened(client_admin, 2026)
    colleague_saves(colleague, 2026, **{bureau(grid["visits"]): 150})
    data.update({bureau(grid["speeches"]): "30", "reason": "Policy Address"})

    refused = client_admin.post(url(2026), data)

    assert refused.status_code == 409
    assert refused.context["form"]["reason"].value() == "Policy Address"
    assert client_admin.post(url(2026), as_submitted(refused.context["form"])).status_code == 302
    assert target(None, grid["visits"], 2026) == 150
    assert AnnualTarget.history.filter(year=2026).first().history_change_reason == "Policy Address"


# --- the rule in the service ------------------------------------------------------------------


def test_the_service_refuses_with_the_grid_merged(bureau_admin, colleague, grid):
    visits, speeches = grid["visits"], grid["speeches"]
    colleague_saves(colleague, **{bureau(visits): 150, bureau(speeches): 60})

    with pytest.raises(target_conflicts.TargetsChangedError) as refused:
        target_services.targets_save(
            user=bureau_admin,
            year=2027,
            bureau={visits.pk: 200, speeches.pk: 50},
            shares={(grid["a"].pk, visits.pk): 61},
            seen_bureau={visits.pk: 100, speeches.pk: 50},
            seen_shares={(grid["a"].pk, visits.pk): 60},
        )

    exc = refused.value
    assert exc.values == {bureau(visits): 200, bureau(speeches): 60, share(grid["a"], visits): 61}
    assert exc.latest == {bureau(visits): 150, bureau(speeches): 60, share(grid["a"], visits): 60}
    assert [(c.key, c.outcome, c.by) for c in exc.changes] == [
        (bureau(visits), "conflict", colleague),
        (bureau(speeches), "theirs", colleague),
    ]
    assert (target(None, visits), target(grid["a"], visits)) == (150, 60)


def test_merge_rule_for_cells():
    merge = three_way(
        {"x": 100, "y": None, "z": 5},
        {"x": 100, "y": 7, "z": 6},
        {"x": 150, "y": None, "z": 8},
    )
    assert merge.values == {"x": 150, "y": 7, "z": 6}
    assert merge.conflicts == {"z"}


# --- two saves at the same moment -------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)"
)
@pytest.mark.django_db(transaction=True)
def test_two_saves_at_once_one_is_refused_and_merged(bureau_admin, colleague, grid):
    """Both open the grid and press Save together, each with another cell changed: the row
    locks let one through; the other is refused with the first one's cell merged in."""
    opened_by = {}
    for user, key, value in (
        (bureau_admin, bureau(grid["visits"]), "120"),
        (colleague, share(grid["a"], grid["visits"]), "70"),
    ):
        client = Client()
        client.force_login(user)
        data = opened(client)
        data[key] = value
        opened_by[user.username] = (client, data)
    start = threading.Barrier(2)
    answers = {}

    def save(name):
        client, data = opened_by[name]
        try:
            start.wait(timeout=10)
            answers[name] = client.post(url(), data)
        finally:
            db.connection.close()

    threads = [threading.Thread(target=save, args=(name,)) for name in opened_by]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(a.status_code for a in answers.values()) == [302, 409]
    [(loser, refused)] = [(n, a) for n, a in answers.items() if a.status_code == 409]
    client = opened_by[loser][0]
    assert client.post(url(), as_submitted(refused.context["form"])).status_code == 302
    assert (target(None, grid["visits"]), target(grid["a"], grid["visits"])) == (120, 70)
