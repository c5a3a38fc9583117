import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from activities.models import Activity
from activities.tests.factories import ActivityFactory
from offices.models import Office, is_within, office_with_units
from offices.tests.factories import (
    AnnualTargetFactory,
    CounterpartFactory,
    OfficeFactory,
    OfficeTargetFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


def test_a_bureau_target_is_unique_per_year_and_indicator(indicator):
    AnnualTargetFactory(year=2026, indicator=indicator, target=3400)
    with pytest.raises(IntegrityError):
        AnnualTargetFactory(year=2026, indicator=indicator, target=3000)


def test_an_office_share_is_unique_per_year_indicator_and_office(indicator, office_a):
    OfficeTargetFactory(year=2026, indicator=indicator, office=office_a)
    OfficeTargetFactory(year=2027, indicator=indicator, office=office_a)
    with pytest.raises(IntegrityError):
        OfficeTargetFactory(year=2026, indicator=indicator, office=office_a)


@pytest.mark.parametrize("factory", [AnnualTargetFactory, OfficeTargetFactory])
def test_targets_must_be_positive(factory, indicator):
    with pytest.raises(IntegrityError):
        factory(indicator=indicator, target=0)


def test_a_unit_needs_a_parent_and_an_office_has_none(office_a):
    with pytest.raises(IntegrityError):
        OfficeFactory(code="LOST", kind=Office.Kind.LIAISON_UNIT, parent=None)


def test_an_office_cannot_have_a_parent(office_a):
    with pytest.raises(IntegrityError):
        OfficeFactory(code="NESTED", kind=Office.Kind.OFFICE, parent=office_a)


def test_a_unit_cannot_hang_under_another_unit(unit_a):
    nested = Office(
        code="DEEP",
        kind=Office.Kind.LIAISON_UNIT,
        parent=unit_a,
        name_en="Deep",
        name_zh_hant="深",
        name_zh_hans="深",
        city_en="X",
        city_zh_hant="X",
        city_zh_hans="X",
    )
    with pytest.raises(ValidationError, match="parent"):
        nested.full_clean()


def test_counterpart_names_are_unique_per_type_ignoring_case():
    CounterpartFactory(
        name_en="Ministry of Commerce", name_zh_hant="商務部", type="central_authority"
    )
    with pytest.raises(IntegrityError):
        CounterpartFactory(
            name_en="ministry of commerce", name_zh_hant="另一", type="central_authority"
        )


def test_a_counterpart_needs_a_name_in_some_language():
    with pytest.raises(IntegrityError):
        CounterpartFactory(name_en="", name_zh_hant="", name_zh_hans="")


def test_scope_of_a_parent_office_includes_its_units(office_a, unit_a, office_b):
    assert set(office_a.scope_ids()) == {office_a.pk, unit_a.pk}
    assert unit_a.scope_ids() == [unit_a.pk]
    assert unit_a.reporting_office_id == office_a.pk


def test_unit_activities_roll_up_into_the_parent(office_a, unit_a, office_b, indicator):
    ActivityFactory(lead_office=office_a, indicator=indicator)
    ActivityFactory(lead_office=unit_a, indicator=indicator)
    ActivityFactory(lead_office=office_b, indicator=indicator)

    assert Activity.objects.for_office(office_a).count() == 2
    assert Activity.objects.for_office(unit_a).count() == 1
    # the one rule, as a condition on activities and on offices read beforehand
    led = Activity.objects.filter(office_with_units(office_a.pk, field="lead_office"))
    assert sorted(led.values_list("lead_office_id", flat=True)) == sorted([office_a.pk, unit_a.pk])
    assert [is_within(o, office_a.pk) for o in (office_a, unit_a, office_b)] == [True, True, False]


def test_names_follow_the_active_language(office_a):
    from django.utils import translation

    with translation.override("zh-hant"):
        assert office_a.name == "甲辦事處"
    with translation.override("zh-hans"):
        assert office_a.name == "甲办事处"
    with translation.override("en"):
        assert office_a.name == "Office A"


def test_a_missing_translation_falls_back(db):
    unit = UnitFactory(name_zh_hans="")
    from django.utils import translation

    with translation.override("zh-hans"):
        assert unit.name == unit.name_zh_hant
