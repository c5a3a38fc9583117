"""The shared counterparts directory: search, the near-duplicate check, who may add, and
which activities each user sees with a counterpart (docs/guide-office-staff.md, "Counterparts")."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from activities.tests.factories import ActivityFactory
from offices import counterparts as directory
from offices.models import Counterpart
from offices.tests.factories import CounterpartFactory, RegionFactory

pytestmark = pytest.mark.django_db

LIST = reverse("counterparts:list")
NEW = reverse("counterparts:create")
SEARCH = reverse("counterparts:search")
JSON = {"HTTP_ACCEPT": "application/json"}


def detail(counterpart):
    return reverse("counterparts:detail", args=[counterpart.pk])


@pytest.fixture
def beijing(db):
    return RegionFactory(
        code="110000", name_en="Beijing", name_zh_hant="北京市", name_zh_hans="北京市"
    )


@pytest.fixture
def guangdong(db):
    return RegionFactory(
        code="440000", name_en="Guangdong", name_zh_hant="廣東省", name_zh_hans="广东省"
    )


@pytest.fixture
def mofcom(beijing):
    return CounterpartFactory(
        type=Counterpart.Type.CENTRAL_AUTHORITY,
        name_en="Ministry of Commerce",
        name_zh_hant="商務部",
        name_zh_hans="商务部",
        region=beijing,
    )


@pytest.fixture
def gd_commerce(guangdong):
    return CounterpartFactory(
        type=Counterpart.Type.PROVINCIAL_AUTHORITY,
        name_en="Department of Commerce of Guangdong Province",
        name_zh_hant="廣東省商務廳",
        name_zh_hans="广东省商务厅",
        region=guangdong,
    )


@pytest.fixture
def gd_chamber(guangdong):
    return CounterpartFactory(
        type=Counterpart.Type.CHAMBER,
        name_en="Guangdong General Chamber of Commerce",
        name_zh_hant="廣東省總商會",
        name_zh_hans="广东省总商会",
        region=guangdong,
    )


@pytest.fixture
def southern_daily(guangdong):
    return CounterpartFactory(
        type=Counterpart.Type.MEDIA,
        name_en="Southern Daily",
        name_zh_hant="南方日報",
        name_zh_hans="南方日报",
        region=guangdong,
    )


@pytest.fixture
def directory_entries(mofcom, gd_commerce, gd_chamber, southern_daily):
    return [mofcom, gd_commerce, gd_chamber, southern_daily]


def ids(results):
    return [c.pk for c in results]


def remove(activity, by):
    activity.removed_at = timezone.now()
    activity.removed_by = by
    activity.removal_reason = "Logged twice"
    activity.save()


# --- search -----------------------------------------------------------------------------


def test_search_in_english_ignores_case_and_matches_part_of_a_name(directory_entries, mofcom):
    assert ids(directory.counterpart_search("ministry of COMMERCE")) == [mofcom.pk]
    assert ids(directory.counterpart_search("inistr")) == [mofcom.pk]


def test_search_matches_every_word_in_any_order(directory_entries, gd_commerce):
    assert ids(directory.counterpart_search("commerce department guangdong")) == [gd_commerce.pk]


def test_search_in_traditional_chinese(directory_entries, mofcom, gd_commerce):
    assert set(ids(directory.counterpart_search("商務"))) == {mofcom.pk, gd_commerce.pk}
    assert ids(directory.counterpart_search("南方日報")) == [
        c.pk for c in Counterpart.objects.filter(name_en="Southern Daily")
    ]


def test_search_in_simplified_chinese(directory_entries, gd_commerce):
    assert ids(directory.counterpart_search("商务厅")) == [gd_commerce.pk]


def test_search_folds_full_width_letters_typed_with_a_chinese_input_method(
    directory_entries, mofcom
):
    assert ids(directory.counterpart_search("ＭＩＮＩＳＴＲＹ")) == [mofcom.pk]


def test_search_leaves_out_inactive_and_excluded_types(directory_entries, mofcom, gd_chamber):
    mofcom.is_active = False
    mofcom.save()
    assert mofcom.pk not in ids(directory.counterpart_search("commerce"))
    assert gd_chamber.pk not in ids(
        directory.counterpart_search("commerce", exclude_types=["chamber"])
    )


def test_an_empty_search_finds_nothing(directory_entries):
    assert directory.counterpart_search("  ") == []


def test_the_indicators_types_come_first(directory_entries, mofcom, gd_commerce, gd_chamber):
    # Without types: by English name.
    assert ids(directory.counterpart_search("commerce")) == [
        gd_commerce.pk,
        gd_chamber.pk,
        mofcom.pk,
    ]
    # A trade meeting offers chambers first; the others still follow.
    assert ids(directory.counterpart_search("commerce", types=["chamber"])) == [
        gd_chamber.pk,
        gd_commerce.pk,
        mofcom.pk,
    ]
    # Several types: together first, by name within them.
    assert ids(
        directory.counterpart_search("commerce", types=["central_authority", "chamber"])
    ) == [
        gd_chamber.pk,
        mofcom.pk,
        gd_commerce.pk,
    ]


def test_names_that_start_with_the_query_come_before_names_that_contain_it(
    directory_entries, gd_commerce, gd_chamber
):
    assert ids(directory.counterpart_search("guangdong")) == [gd_chamber.pk, gd_commerce.pk]


def test_search_json_answers_in_the_readers_language(client_staff_a, directory_entries, mofcom):
    response = client_staff_a.get(SEARCH, {"q": "商务部"})
    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {
                "id": mofcom.pk,
                "label": "Ministry of Commerce (商務部)",
                "type": "central_authority",
                "type_label": "Central authority",
                "region": "Beijing",
            }
        ]
    }
    response = client_staff_a.get(SEARCH, {"q": "ministry"}, headers={"accept-language": "zh-hans"})
    assert response.json()["results"][0]["label"] == "商务部 (Ministry of Commerce)"
    with override("zh-hant"):
        assert directory.counterpart_as_dict(mofcom)["label"] == "商務部 (Ministry of Commerce)"


def test_search_json_ranks_the_given_types_first(client_staff_a, directory_entries, gd_chamber):
    response = client_staff_a.get(SEARCH, {"q": "commerce", "type": ["media", "chamber"]})
    results = response.json()["results"]
    assert results[0]["id"] == gd_chamber.pk
    assert len(results) == 3


def test_search_json_returns_at_most_twenty(client_staff_a):
    CounterpartFactory.create_batch(25)  # "Department of Commerce n"
    response = client_staff_a.get(SEARCH, {"q": "department"})
    assert len(response.json()["results"]) == 20


# --- who may see and add ----------------------------------------------------------------


def test_anonymous_users_are_sent_to_sign_in(client, mofcom):
    for url in (LIST, detail(mofcom), NEW, SEARCH + "?q=commerce"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("accounts:login"))
    response = client.post(NEW, {"type": "media", "name_en": "Xinhua"})
    assert response.status_code == 302
    assert not Counterpart.objects.filter(name_en="Xinhua").exists()


def test_bureau_viewers_read_the_directory_but_cannot_add(client_bureau, mofcom):
    assert client_bureau.get(LIST).status_code == 200
    assert client_bureau.get(detail(mofcom)).status_code == 200
    assert client_bureau.get(SEARCH, {"q": "commerce"}).status_code == 200
    assert client_bureau.get(NEW).status_code == 403
    response = client_bureau.post(NEW, {"type": "media", "name_en": "Xinhua News Agency"}, **JSON)
    assert response.status_code == 403
    assert not Counterpart.objects.filter(name_en="Xinhua News Agency").exists()
    assert "Add a counterpart" not in client_bureau.get(LIST).content.decode()


def test_the_service_refuses_bureau_viewers(bureau_viewer):
    with pytest.raises(PermissionDenied):
        directory.counterpart_create(user=bureau_viewer, type="media", name_en="Xinhua News Agency")


@pytest.mark.parametrize("persona", ["staff_a", "supervisor_a", "bureau_admin"])
def test_staff_supervisors_and_bureau_admins_can_add(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(
        NEW, {"type": "media", "name_en": "Xinhua News Agency", "name_zh_hant": "新華社"}
    )
    counterpart = Counterpart.objects.get(name_en="Xinhua News Agency")
    assert response.status_code == 302
    assert response.url == detail(counterpart)


# --- adding: near-identical names and exact duplicates -----------------------------------


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ({"name_en": "The Ministry of Commerce."}, True),  # filler word and punctuation
        ({"name_en": "Ministry of Comerce"}, True),  # a typo
        ({"name_en": "Commerce Ministry"}, True),  # same words, other order
        ({"name_en": "ＭＩＮＩＳＴＲＹ ＯＦ ＣＯＭＭＥＲＣＥ"}, True),  # full-width
        ({"name_zh_hant": "商務部 "}, True),
        ({"name_zh_hant": "中華人民共和國商務部"}, True),  # contains the existing name
        ({"name_zh_hans": "商务部（本部）"}, True),
        ({"name_en": "Ministry of Education", "name_zh_hant": "教育部"}, False),
        ({"name_zh_hant": "部"}, False),  # one character means nothing
        ({"name_zh_hant": "商务部"}, False),  # Simplified is not compared with Traditional
    ],
)
def test_near_identical_names(mofcom, names, expected):
    similar = directory.counterparts_similar_to(**names)
    assert ([s.counterpart for s in similar] == [mofcom]) is expected


def test_a_near_identical_name_is_shown_and_not_saved_without_confirmation(client_staff_a, mofcom):
    response = client_staff_a.post(
        NEW, {"type": "central_authority", "name_en": "The Ministry of Commerce."}
    )
    assert response.status_code == 200
    assert response.context["form"].similar[0].counterpart == mofcom
    page = response.content.decode()
    assert "Use this one" in page
    assert f'href="{detail(mofcom)}"' in page
    assert "It&#x27;s a different body: add it anyway" in page
    assert Counterpart.objects.count() == 1


def test_a_near_identical_name_of_another_type_is_flagged_too(client_staff_a, mofcom):
    response = client_staff_a.post(NEW, {"type": "other", "name_zh_hant": "商務部"})
    assert response.status_code == 200
    assert response.context["form"].similar[0].counterpart == mofcom
    assert Counterpart.objects.count() == 1


def test_a_near_identical_name_is_saved_once_confirmed(client_staff_a, mofcom):
    response = client_staff_a.post(
        NEW,
        {
            "type": "central_authority",
            "name_en": "The Ministry of Commerce.",
            "confirm_similar": "on",
        },
    )
    assert response.status_code == 302
    created = Counterpart.objects.exclude(pk=mofcom.pk).get()
    assert created.name_en == "The Ministry of Commerce."


def test_an_exact_duplicate_is_refused_with_a_field_error_even_when_confirmed(
    client_staff_a, mofcom
):
    for names, field in (
        ({"name_en": "  ministry of  COMMERCE "}, "name_en"),
        ({"name_zh_hant": "商務部"}, "name_zh_hant"),
        ({"name_zh_hans": "商务部"}, "name_zh_hans"),
    ):
        response = client_staff_a.post(
            NEW, {"type": "central_authority", "confirm_similar": "on", **names}
        )
        assert response.status_code == 400
        errors = response.context["form"].errors
        assert "already in the directory as a central authority" in errors[field][0]
        # The existing one is offered instead.
        assert response.context["form"].similar[0].counterpart == mofcom
        assert 'role="alert"' in response.content.decode()
    assert Counterpart.objects.count() == 1


def test_the_service_reports_exact_duplicates_on_the_clashing_name(staff_a, mofcom):
    with pytest.raises(ValidationError) as caught:
        directory.counterpart_create(
            user=staff_a,
            type="central_authority",
            name_en="MINISTRY OF COMMERCE",
            confirm_similar=True,
        )
    assert set(caught.value.message_dict) == {"name_en"}


def test_a_duplicate_added_at_the_same_moment_is_a_form_error_not_a_500(
    client_staff_a, mofcom, monkeypatch
):
    """Two people add the same body at once: both pass the checks, the database refuses
    the second save."""
    monkeypatch.setattr(directory, "_exact_duplicate_errors", lambda counterpart: {})
    monkeypatch.setattr(Counterpart, "validate_constraints", lambda self, **kwargs: None)
    response = client_staff_a.post(
        NEW,
        {"type": "central_authority", "name_en": "Ministry of Commerce", "confirm_similar": "on"},
    )
    assert response.status_code == 400
    assert "A counterpart of this type with this name exists." in response.content.decode()
    assert Counterpart.objects.count() == 1


def test_a_name_is_required_in_some_language(client_staff_a):
    response = client_staff_a.post(NEW, {"type": "media", "name_en": "  "})
    assert response.status_code == 400
    assert "Give the name in English or Chinese." in response.content.decode()
    assert not Counterpart.objects.exists()


def test_the_picker_gets_json_for_similar_names_and_for_a_new_counterpart(
    client_staff_a, mofcom, beijing
):
    response = client_staff_a.post(
        NEW,
        {"type": "central_authority", "name_en": "Ministry of Comerce", "fragment": "1"},
        **JSON,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["errors"] == {}
    assert [s["id"] for s in body["similar"]] == [mofcom.pk]
    assert body["similar"][0]["label"] == "Ministry of Commerce (商務部)"
    assert f'data-use-counterpart="{mofcom.pk}"' in body["html"]
    assert 'id="cp-new-confirm_similar"' in body["html"]

    response = client_staff_a.post(
        NEW,
        {
            "type": "media",
            "name_en": "China Daily",
            "name_zh_hant": "中國日報",
            "region": beijing.pk,
            "fragment": "1",
        },
        **JSON,
    )
    assert response.status_code == 201
    created = Counterpart.objects.get(name_en="China Daily")
    assert response.json() == {
        "counterpart": {
            "id": created.pk,
            "label": "China Daily (中國日報)",
            "type": "media",
            "type_label": "Media outlet",
            "region": "Beijing",
        }
    }


def test_the_picker_gets_json_field_errors(client_staff_a, mofcom):
    response = client_staff_a.post(
        NEW,
        {"type": "central_authority", "name_en": "Ministry of Commerce", "fragment": "1"},
        **JSON,
    )
    assert response.status_code == 400
    body = response.json()
    assert "already in the directory" in body["errors"]["name_en"][0]
    assert not Counterpart.objects.exclude(pk=mofcom.pk).exists()
    # The dialog's error summary has an id of its own and links to the dialog's fields.
    assert 'id="cp-new-error-summary"' in body["html"]
    assert 'href="#cp-new-name_en"' in body["html"]
    assert 'id="error-summary"' not in body["html"]


def test_the_dialog_form_is_filled_with_what_was_typed(client_staff_a):
    response = client_staff_a.get(
        NEW, {"fragment": "1", "name": "新華社", "type": "media", "exclude_type": "partner"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="cp-new-name_zh_hant"' in html
    assert 'value="新華社"' in html
    assert '<option value="media" selected>' in html
    assert '<option value="partner"' not in html


def test_an_excluded_type_cannot_be_posted(client_staff_a):
    response = client_staff_a.post(
        NEW, {"type": "partner", "name_en": "HKTDC", "exclude_type": "partner"}, **JSON
    )
    assert response.status_code == 400
    assert "type" in response.json()["errors"]
    assert not Counterpart.objects.exists()


# --- the directory and a counterpart's page ----------------------------------------------


@pytest.fixture
def activities_with_mofcom(mofcom, office_a, office_b, unit_a, staff_a, staff_b, indicator):
    """Office A's activity, its unit's, a removed one, and office B's."""
    made = {
        "a": ActivityFactory(
            lead_office=office_a, indicator=indicator, title="Office A meets MOFCOM"
        ),
        "unit": ActivityFactory(
            lead_office=unit_a, indicator=indicator, title="Unit A1 meets MOFCOM"
        ),
        "removed": ActivityFactory(
            lead_office=office_a, indicator=indicator, title="Logged twice with MOFCOM"
        ),
        "b": ActivityFactory(
            lead_office=office_b, indicator=indicator, title="Office B meets MOFCOM"
        ),
    }
    for activity in made.values():
        activity.counterparts.add(mofcom)
    remove(made["removed"], staff_a)
    return made


def titles(response):
    return [a.title for a in response.context["page"].object_list]


def test_the_counterparts_page_shows_each_user_the_activities_they_may_see(
    client, staff_a, staff_b, bureau_viewer, mofcom, activities_with_mofcom
):
    client.force_login(staff_a)
    response = client.get(detail(mofcom))
    assert response.status_code == 200
    assert set(titles(response)) == {"Office A meets MOFCOM", "Unit A1 meets MOFCOM"}
    assert reverse("activities:detail", args=[activities_with_mofcom["a"].pk]) in (
        response.content.decode()
    )

    client.force_login(staff_b)
    response = client.get(detail(mofcom))
    assert response.status_code == 200  # the counterpart itself is shared
    assert "Ministry of Commerce" in response.content.decode()
    assert titles(response) == ["Office B meets MOFCOM"]
    assert "Office A meets MOFCOM" not in response.content.decode()

    client.force_login(bureau_viewer)
    response = client.get(detail(mofcom))
    assert set(titles(response)) == {
        "Office A meets MOFCOM",
        "Unit A1 meets MOFCOM",
        "Office B meets MOFCOM",
    }


def test_a_joint_activity_shows_for_the_participating_office(
    client_staff_b, office_b, mofcom, activities_with_mofcom
):
    activities_with_mofcom["a"].participating_offices.add(office_b)
    response = client_staff_b.get(detail(mofcom))
    assert set(titles(response)) == {"Office A meets MOFCOM", "Office B meets MOFCOM"}


def test_the_directory_counts_the_activities_each_user_may_see(
    client, staff_a, staff_b, bureau_viewer, mofcom, gd_commerce, activities_with_mofcom
):
    def counts(user):
        client.force_login(user)
        response = client.get(LIST)
        assert response.status_code == 200
        return {c.pk: c.visible_activities for c in response.context["page"].object_list}

    assert counts(staff_a) == {mofcom.pk: 2, gd_commerce.pk: 0}
    assert counts(staff_b) == {mofcom.pk: 1, gd_commerce.pk: 0}
    assert counts(bureau_viewer) == {mofcom.pk: 3, gd_commerce.pk: 0}


def test_the_directory_filters_by_name_type_and_region(
    client_staff_a, directory_entries, mofcom, gd_commerce, gd_chamber, guangdong
):
    def found(**query):
        response = client_staff_a.get(LIST, query)
        assert response.status_code == 200
        return {c.pk for c in response.context["page"].object_list}

    assert found(q="商务") == {mofcom.pk, gd_commerce.pk}
    assert found(q="COMMERCE", type="chamber") == {gd_chamber.pk}
    assert found(q="commerce", region=guangdong.pk) == {gd_commerce.pk, gd_chamber.pk}
    assert found(type="not-a-type") == {c.pk for c in directory_entries}  # ignored


def test_the_directory_pages_by_25(client_staff_a):
    CounterpartFactory.create_batch(30)
    response = client_staff_a.get(LIST, {"page": 2})
    assert len(response.context["page"].object_list) == 5
    assert 'rel="prev"' in response.content.decode()


def test_a_counterpart_that_does_not_exist_is_404(client_staff_a):
    assert client_staff_a.get(reverse("counterparts:detail", args=[999999])).status_code == 404


# --- query counts -----------------------------------------------------------------------


def test_directory_query_count(
    client_staff_a, office_a, indicator, directory_entries, django_assert_num_queries
):
    for counterpart in directory_entries:
        ActivityFactory(lead_office=office_a, indicator=indicator).counterparts.add(counterpart)
    # session, user (with office), user's scope, regions (filter), page count, page rows
    # (each with its visible-activity count as a subquery, and its region), and the session
    # save (savepoint, update, release)
    with django_assert_num_queries(9):
        client_staff_a.get(LIST)
    for counterpart in CounterpartFactory.create_batch(20):
        ActivityFactory(lead_office=office_a, indicator=indicator).counterparts.add(counterpart)
    with django_assert_num_queries(9):
        response = client_staff_a.get(LIST)
    assert len(response.context["page"].object_list) == 24


def test_counterpart_page_query_count(
    client_staff_a, office_a, indicator, mofcom, django_assert_num_queries
):
    for activity in ActivityFactory.create_batch(3, lead_office=office_a, indicator=indicator):
        activity.counterparts.add(mofcom)
    # session, user (with office), counterpart (with region and parent), its bodies, user's
    # scope, page count, page rows (with lead office, indicator, region), and the session
    # save (savepoint, update, release)
    with django_assert_num_queries(10):
        client_staff_a.get(detail(mofcom))
    for activity in ActivityFactory.create_batch(20, lead_office=office_a, indicator=indicator):
        activity.counterparts.add(mofcom)
    with django_assert_num_queries(10):
        response = client_staff_a.get(detail(mofcom))
    assert len(response.context["page"].object_list) == 23


def test_search_json_query_count(client_staff_a, django_assert_num_queries):
    CounterpartFactory.create_batch(3)
    # session, user (with office), matches (with region), and the session save (savepoint,
    # update, release)
    with django_assert_num_queries(6):
        client_staff_a.get(SEARCH, {"q": "commerce"})
    CounterpartFactory.create_batch(20)
    with django_assert_num_queries(6):
        response = client_staff_a.get(SEARCH, {"q": "commerce"})
    assert len(response.json()["results"]) == 20


def test_counterparts_in_the_offices_own_regions_come_first(
    directory_entries, mofcom, gd_commerce, gd_chamber, office_a, staff_a, guangdong, beijing
):
    # Without regions: by English name.
    assert ids(directory.counterpart_search("commerce")) == [
        gd_commerce.pk,
        gd_chamber.pk,
        mofcom.pk,
    ]
    office_a.regions.set([beijing])
    regions = directory.regions_covered_for(staff_a)
    # Beijing's ministry first, then the others by name.
    assert ids(directory.counterpart_search("commerce", regions=regions)) == [
        mofcom.pk,
        gd_commerce.pk,
        gd_chamber.pk,
    ]
    # The indicator's types still come first; the office's regions first within them.
    assert ids(directory.counterpart_search("commerce", types=["chamber"], regions=regions)) == [
        gd_chamber.pk,
        mofcom.pk,
        gd_commerce.pk,
    ]


def test_a_units_regions_count_for_its_parent_offices_people(
    directory_entries, mofcom, unit_a, staff_a, beijing
):
    unit_a.regions.set([beijing])
    assert ids(
        directory.counterpart_search("commerce", regions=directory.regions_covered_for(staff_a))
    )[0] == (mofcom.pk)


def test_search_json_ranks_the_offices_regions_first(
    client_staff_a, directory_entries, mofcom, gd_commerce, office_a, beijing
):
    office_a.regions.set([beijing])
    response = client_staff_a.get(SEARCH, {"q": "commerce"})
    assert [r["id"] for r in response.json()["results"]][:2] == [mofcom.pk, gd_commerce.pk]


def test_search_json_for_a_bureau_role_ranks_by_name(
    client_admin, directory_entries, gd_commerce, office_a, beijing
):
    office_a.regions.set([beijing])  # not the admin's: a bureau role covers no region
    response = client_admin.get(SEARCH, {"q": "commerce"})
    assert response.json()["results"][0]["id"] == gd_commerce.pk
