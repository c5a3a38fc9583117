import datetime as dt

import factory

from accounts.tests.factories import UserFactory
from offices.tests.factories import IndicatorFactory, OfficeFactory, RegionFactory
from planning.models import Plan, PlanStatus, ProgressNote


class PlanFactory(factory.django.DjangoModelFactory):
    """A plan written straight to the table (no warnings): for reads and access tests.
    Tests of the rules plan through planning.services."""

    class Meta:
        model = Plan
        skip_postgeneration_save = True

    lead_office = factory.SubFactory(OfficeFactory)
    indicator = factory.SubFactory(IndicatorFactory)
    title = factory.Sequence(lambda n: f"Call on the Department of Commerce {n}")
    starts_on = dt.date(2026, 7, 6)
    ends_on = factory.SelfAttribute("starts_on")
    region = factory.SubFactory(RegionFactory)
    city = "Guangzhou"
    status = PlanStatus.PLANNED
    created_by = factory.SubFactory(UserFactory)
    updated_by = factory.SelfAttribute("created_by")

    @factory.post_generation
    def counterparts(self, create, extracted, **kwargs):
        if create and extracted:
            self.counterparts.set(extracted)

    @factory.post_generation
    def participating_offices(self, create, extracted, **kwargs):
        if create and extracted:
            self.participating_offices.set(extracted)

    @factory.post_generation
    def attendees(self, create, extracted, **kwargs):
        if create and extracted:
            self.attendees.set(extracted)


class ProgressNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressNote

    office = factory.SubFactory(OfficeFactory)
    indicator = factory.SubFactory(IndicatorFactory)
    year = 2026
    month = 5
    text = "Two visits moved to June at the department's request."
    written_by = factory.SubFactory(UserFactory)
