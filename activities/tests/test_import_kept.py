"""The confirmation of an import checks again only what can have changed since the preview
(`activities.imports.kept`): while the reference data and the uploader's rights are as they
were, it writes the activities the preview passed, after checking the months, the day and
the duplicates; once anything else has changed, it reads and checks every row again.

The clock is frozen at 30 June 2026, 10:00 in Hong Kong: June is open for entry.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from activities import counts
from activities.imports import services as import_services
from activities.imports.kept import KEPT_FIELDS, keep, kept_rows
from activities.imports.lookups import Lookups
from activities.imports.rows import check_rows, read_rows
from activities.imports.tables import read_table
from activities.models import Activity, PeriodReopening, Status
from activities.services import (
    M2M_FIELDS,
    activities_create_checked,
    activities_create_kept,
)
from activities.tests.test_import import (
    _messages,
    confirm,
    issues,
    make_xlsx,
    preview_of,
    rows_by_number,
    upload,
    visit,
)
from offices.models import Counterpart, Indicator, Region
from offices.services import reference_data_load

HK = ZoneInfo("Asia/Hong_Kong")

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(dt.datetime(2026, 6, 30, 10, tzinfo=HK))]


@pytest.fixture(autouse=True)
def reference(db):
    reference_data_load()


@pytest.fixture
def rows_read_again(monkeypatch) -> list[int]:
    """How many times a confirmation read and checked the file's rows again."""
    calls: list[int] = []
    parse_rows = import_services.parse_rows

    def counted(**kwargs):
        calls.append(1)
        return parse_rows(**kwargs)

    monkeypatch.setattr(import_services, "parse_rows", counted)
    return calls


ROWS = [
    visit(),
    visit(title="Meeting the Shenzhen municipal government", region="Guangdong"),
    visit(day="2026-06-03", title="A talk", indicator="speaking", event="Trade forum"),
    visit(title="Notes kept", notes="  Two lines\nof notes  ", city="Shenzhen"),
]


def _written(ids) -> list[dict]:
    """The activities `ids` as written: every field but the id and the times of the
    writing, their counterparts, and their first history version."""
    skip = {"id", "created_at", "updated_at"}
    fields = [f.attname for f in Activity._meta.concrete_fields if f.attname not in skip]
    written = []
    for activity in Activity.objects.filter(pk__in=ids).order_by("pk"):
        (record,) = Activity.history.filter(id=activity.pk)
        written.append(
            {
                **{name: getattr(activity, name) for name in fields},
                "counterparts": [c.pk for c in activity.counterparts.order_by("pk")],
                "history": (
                    record.history_type,
                    record.history_user_id,
                    record.title,
                    [c.counterpart_id for c in record.counterparts.order_by("counterpart_id")],
                ),
            }
        )
    return written


def test_the_kept_activities_are_written_as_the_checked_ones(staff_a, office_a):
    """Written from what the preview keeps (columns, no model object each), every activity
    is, field for field, with its counterparts and its first history version, the one
    `activity_check` made and `activities_create_checked` writes."""
    table = read_table(name="a.xlsx", file_format="xlsx", content=make_xlsx(ROWS))
    lookups = Lookups(user=staff_a, office=office_a)
    rows, _example = read_rows(lookups=lookups, table=table)
    check_rows(user=staff_a, rows=rows)
    assert all(row.activity is not None for row in rows)

    kept = kept_rows(
        keep(rows, lookups),
        lookups=Lookups(user=staff_a, office=office_a),
        numbers={row.number for row in rows},
    )

    assert kept is not None
    assert [row.number for row in kept.rows] == [row.number for row in rows]
    assert [row.key for row in kept.rows] == [row.key for row in rows]
    from_kept = activities_create_kept(
        user=staff_a, fields=kept.fields, links={"counterparts": kept.counterparts}
    )
    from_checked = activities_create_checked(
        user=staff_a,
        checked=[
            (row.activity, {name: row.kwargs.get(name, []) for name in M2M_FIELDS}) for row in rows
        ],
    )
    assert len(from_kept) == len(ROWS)
    assert _written(from_kept) == _written([activity.pk for activity in from_checked])
    assert {"lead_office_id", "indicator_id", "title", "notes"} <= set(KEPT_FIELDS)
    assert counts.differences() == {}


def test_nothing_changed_the_confirmation_does_not_read_the_rows_again(
    client_staff_a, staff_a, rows_read_again
):
    batch = preview_of(upload(client_staff_a, make_xlsx(ROWS)))
    assert batch.report["counts"]["new"] == 4

    confirm(client_staff_a, batch)

    assert rows_read_again == []
    assert Activity.objects.filter(status=Status.DRAFT, created_by=staff_a).count() == 4
    notes = Activity.objects.get(title="Notes kept")
    assert (notes.notes, notes.city) == ("Two lines\nof notes", "Shenzhen")
    talk = Activity.objects.get(title="A talk")
    assert (talk.indicator.code, talk.event_name) == ("speaking", "Trade forum")
    assert [c.name_zh_hant for c in talk.counterparts.all()] == ["廣東省商務廳"]
    record = Activity.history.get(title="A talk")
    assert [c.counterpart.name_zh_hant for c in record.counterparts.all()] == ["廣東省商務廳"]


def _deactivate_indicator():
    Indicator.objects.filter(code="speaking").update(is_active=False)


def _deactivate_counterpart():
    Counterpart.objects.filter(name_zh_hant="廣東省商務廳").update(is_active=False)


def _rename_region():
    Region.objects.filter(name_en="Guangdong").update(name_en="Canton")


@pytest.mark.parametrize(
    ("change", "refused", "message"),
    [
        (_deactivate_indicator, [4], "is no longer in use"),
        (_deactivate_counterpart, [2, 3, 4, 5], "is not in the counterpart directory"),
        (_rename_region, [3], "is not a province"),
    ],
)
def test_reference_data_changed_every_row_is_read_and_checked_again(
    client_staff_a, rows_read_again, change, refused, message
):
    """Each change refuses only the rows it touches, with the reason in their column; the
    rows it does not touch stay new, and nothing is imported until the person confirms
    the preview as it is now."""
    batch = preview_of(upload(client_staff_a, make_xlsx(ROWS)))
    change()

    response = confirm(client_staff_a, batch)

    assert rows_read_again == [1]
    assert Activity.objects.count() == 0
    assert "Nothing was imported" in _messages(response)[0]
    batch.refresh_from_db()
    by_number = rows_by_number(batch)
    assert sorted(n for n, row in by_number.items() if row["status"] == "invalid") == refused
    assert message in " ".join(m for n in refused for _l, m in issues(by_number[n]))
    # The next confirmation relies on the rows as just checked: no reading again.
    assert batch.checked["numbers"] == sorted(set(by_number) - set(refused))
    confirm(client_staff_a, batch)
    assert Activity.objects.count() == 4 - len(refused)
    assert rows_read_again == [1]


def test_a_month_closed_since_the_preview_is_found_without_the_kept_rows(
    client_staff_a, staff_a, office_a, bureau_admin, frozen, rows_read_again
):
    """The reference data are as they were, but May, reopened at the preview, is closed
    at the confirmation: the rows are read and checked again, to say which fails."""
    PeriodReopening.objects.create(
        office=office_a,
        year=2026,
        month=5,
        reason="Late reports",
        requested_by=staff_a,
        state=PeriodReopening.State.GRANTED,
        open_until=dt.date(2026, 7, 5),
        decided_by=bureau_admin,
    )
    batch = preview_of(
        upload(client_staff_a, make_xlsx([visit(), visit(day="2026-05-20", title="May")]))
    )
    frozen.move_to(dt.datetime(2026, 7, 6, 9, tzinfo=HK))
    client_staff_a.force_login(staff_a)

    confirm(client_staff_a, batch)

    assert rows_read_again == [1]
    assert Activity.objects.count() == 0
    batch.refresh_from_db()
    assert "closed for entry" in issues(rows_by_number(batch)[3])[0][1]


def test_rights_changed_since_the_preview_the_rows_are_checked_again(
    client, staff_a, office_a, rows_read_again
):
    """A unit the uploader could write for at the preview is no longer theirs to import
    for (here: deactivated): its row is refused, the office's row stays new."""
    from offices.tests.factories import UnitFactory

    unit = UnitFactory(parent=office_a)
    client.force_login(staff_a)
    batch = preview_of(
        upload(client, make_xlsx([visit(), visit(title="By the unit", lead_office=unit.code)]))
    )
    assert batch.report["counts"]["new"] == 2
    unit.is_active = False
    unit.save(update_fields=["is_active"])

    confirm(client, batch)

    assert rows_read_again == [1]
    assert Activity.objects.count() == 0
    batch.refresh_from_db()
    assert batch.report["counts"] == {"new": 1, "duplicate": 0, "invalid": 1}


def _other_code(checked):
    checked["rules"] = "0" * 64  # kept by another release


def _a_field_fewer(checked):
    del checked["fields"]["notes"]  # a release that reads one more field


def _a_short_column(checked):
    checked["fields"]["title"].pop()


def _an_unknown_indicator(checked):
    checked["fields"]["indicator_id"][0] = 10**9


def _an_id_as_text(checked):
    checked["fields"]["lead_office_id"][0] = str(checked["fields"]["lead_office_id"][0])


def _a_number_for_a_title(checked):
    checked["fields"]["title"][0] = 5


def _a_bad_day(checked):
    checked["fields"]["occurred_on"][0] = "2026-02-30"


def _an_unknown_counterpart(checked):
    checked["counterparts"][0] = [10**9]


def _a_counterpart_twice(checked):
    checked["counterparts"][0] = checked["counterparts"][0] * 2


def _a_counterpart_as_true(checked):
    checked["counterparts"][0] = [True]


def _a_column_as_text(checked):
    checked["fields"]["notes"] = "x" * len(checked["fields"]["notes"])


@pytest.mark.parametrize(
    "kept_as",
    [
        pytest.param(None, id="null: kept by a version without it"),
        pytest.param({}, id="empty"),
        pytest.param(_other_code, id="other code"),
        pytest.param(_a_field_fewer, id="a field fewer"),
        pytest.param(_a_short_column, id="a short column"),
        pytest.param(_an_unknown_indicator, id="an unknown indicator"),
        pytest.param(_an_id_as_text, id="an id as text"),
        pytest.param(_a_number_for_a_title, id="a number for a title"),
        pytest.param(_a_bad_day, id="a day that is not"),
        pytest.param(_an_unknown_counterpart, id="an unknown counterpart"),
        pytest.param(_a_counterpart_twice, id="a counterpart twice"),
        pytest.param(_a_counterpart_as_true, id="a counterpart as true"),
        pytest.param(_a_column_as_text, id="a column as text"),
        pytest.param([1, 2, 3], id="a list"),
    ],
)
def test_rows_kept_otherwise_are_read_and_checked_again(client_staff_a, rows_read_again, kept_as):
    """A batch whose kept rows this code did not write as they are (an earlier or later
    release, or none) is confirmed the long way, never refused or failed for it."""
    batch = preview_of(upload(client_staff_a, make_xlsx(ROWS)))
    if callable(kept_as):
        kept_as(batch.checked)
    else:
        batch.checked = kept_as
    batch.save(update_fields=["checked"])

    response = confirm(client_staff_a, batch)

    assert response.status_code == 302
    assert rows_read_again == [1]
    assert Activity.objects.count() == 4


def test_the_fingerprint_is_the_same_for_the_same_data_and_rights(staff_a, office_a, staff_b):
    first = Lookups(user=staff_a, office=office_a).fingerprint
    assert Lookups(user=staff_a, office=office_a).fingerprint == first
    assert Lookups(user=staff_b, office=office_a).fingerprint != first  # no rights there
    Counterpart.objects.filter(name_zh_hant="廣東省商務廳").update(name_en="Commerce Dept.")
    assert Lookups(user=staff_a, office=office_a).fingerprint != first


def test_activity_check_refuses_an_object_of_another_kind(staff_a, office_a):
    """It keeps the objects it is given as the activity's own, as assigning them would, and
    refuses the wrong kind as assigning would."""
    from activities.services import activity_check

    indicator = Indicator.objects.get(code="visits")
    with pytest.raises(TypeError, match="indicator must be a Indicator"):
        activity_check(
            user=staff_a,
            lead_office=office_a,
            indicator=office_a,
            occurred_on=dt.date(2026, 6, 2),
            title="A visit",
        )
    activity = activity_check(
        user=staff_a,
        lead_office=office_a,
        indicator=indicator,
        occurred_on=dt.date(2026, 6, 2),
        title="A visit",
        counterparts=list(Counterpart.objects.filter(name_zh_hant="廣東省商務廳")),
        authority_level="provincial",
    )
    assert (activity.lead_office, activity.indicator, activity.region) == (
        office_a,
        indicator,
        None,
    )
    assert activity.lead_office_id == office_a.pk


def test_the_kept_columns_and_lists_must_be_as_long(staff_a, office_a):
    fields = {
        "lead_office_id": [office_a.pk],
        "indicator_id": [Indicator.objects.get(code="visits").pk],
        "occurred_on": [dt.date(2026, 6, 2)],
        "title": ["A visit"],
        "region_id": [None],
        "city": [""],
        "authority_level": ["provincial"],
        "event_name": [""],
        "hk_participants": [""],
        "notes": [""],
    }
    with pytest.raises(ValueError, match="list of ids"):
        activities_create_kept(user=staff_a, fields=fields, links={"counterparts": []})
    with pytest.raises(ValueError, match="as long"):
        activities_create_kept(
            user=staff_a, fields={**fields, "title": []}, links={"counterparts": [[]]}
        )
    assert Activity.objects.count() == 0
