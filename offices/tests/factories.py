import factory

from offices.models import AnnualTarget, Counterpart, Indicator, Office, OfficeTarget, Region


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{(n % 80) + 11}0000")
    kind = Region.Kind.PROVINCE
    name_en = factory.Sequence(lambda n: f"Province {n}")
    name_zh_hant = factory.Sequence(lambda n: f"省份{n}")
    name_zh_hans = factory.Sequence(lambda n: f"省份{n}")


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"OFF{n}")
    kind = Office.Kind.OFFICE
    name_en = factory.Sequence(lambda n: f"Test Office {n}")
    name_zh_hant = factory.Sequence(lambda n: f"測試辦事處{n}")
    name_zh_hans = factory.Sequence(lambda n: f"测试办事处{n}")
    city_en = "Beijing"
    city_zh_hant = "北京"
    city_zh_hans = "北京"


class UnitFactory(OfficeFactory):
    code = factory.Sequence(lambda n: f"UNIT{n}")
    kind = Office.Kind.LIAISON_UNIT
    parent = factory.SubFactory(OfficeFactory)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"indicator-{n}")
    name_en = factory.Sequence(lambda n: f"Indicator {n}")
    name_zh_hant = factory.Sequence(lambda n: f"指標{n}")
    name_zh_hans = factory.Sequence(lambda n: f"指标{n}")
    display_order = factory.Sequence(lambda n: n)


class AnnualTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualTarget

    year = 2026
    indicator = factory.SubFactory(IndicatorFactory)
    target = 100


class OfficeTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfficeTarget

    year = 2026
    indicator = factory.SubFactory(IndicatorFactory)
    office = factory.SubFactory(OfficeFactory)
    target = 20


class CounterpartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Counterpart

    type = Counterpart.Type.PROVINCIAL_AUTHORITY
    name_en = factory.Sequence(lambda n: f"Department of Commerce {n}")
    name_zh_hant = factory.Sequence(lambda n: f"商務廳{n}")
    name_zh_hans = factory.Sequence(lambda n: f"商务厅{n}")
