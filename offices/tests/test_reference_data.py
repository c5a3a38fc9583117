import pytest
from django.core.management import call_command

from offices.models import AnnualTarget, Counterpart, Indicator, Office, Region
from offices.services import reference_data_load

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Region.objects.count(),
        Office.objects.count(),
        Indicator.objects.count(),
        AnnualTarget.objects.count(),
        Counterpart.objects.count(),
    )


def test_loads_the_real_offices_regions_indicators_and_2026_targets():
    reference_data_load()

    assert Region.objects.count() == 31
    assert Office.objects.filter(kind="office").count() == 5
    assert Office.objects.filter(kind="centre").count() == 1
    assert Office.objects.filter(kind="liaison_unit").count() == 11
    assert dict(
        AnnualTarget.objects.filter(year=2026).values_list("indicator__code", "target")
    ) == {"visits": 3400, "speaking": 290, "media": 350, "trade_meetings": 880}
    assert list(Indicator.objects.values_list("code", flat=True)) == [
        "visits",
        "speaking",
        "media",
        "trade_meetings",
    ]


def test_units_hang_under_their_parent_and_coverage_is_current():
    reference_data_load()

    gdeto = Office.objects.get(code="GDETO")
    assert set(gdeto.units.values_list("code", flat=True)) == {"GBADPC", "SZLU", "FJLU", "GXLU"}
    # Yunnan moved from the Guangdong office to the Chengdu office in July 2023.
    yunnan = Region.objects.get(code="530000")
    assert list(yunnan.offices.filter(parent=None).values_list("code", flat=True)) == ["CDETO"]
    # Every one of the 31 regions is covered by exactly one top-level office.
    for region in Region.objects.all():
        assert region.offices.filter(parent=None).count() == 1, region.name_en


def test_names_exist_in_three_languages():
    reference_data_load()

    bjo = Office.objects.get(code="BJO")
    assert bjo.name_zh_hant == "香港特別行政區政府駐北京辦事處"
    assert bjo.name_zh_hans == "香港特别行政区政府驻北京办事处"
    assert Indicator.objects.get(code="media").name_zh_hans == "传媒访问或简报会"
    assert not Region.objects.filter(name_zh_hans="").exists()


def test_loading_twice_duplicates_nothing_and_keeps_admins_targets():
    call_command("load_reference_data")
    before = _counts()
    target = AnnualTarget.objects.get(year=2026, indicator__code="visits")
    target.target = 3500  # an admin raised it
    target.save()

    call_command("load_reference_data")

    assert _counts() == before
    target.refresh_from_db()
    assert target.target == 3500
