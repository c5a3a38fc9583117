import datetime as dt

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from activities.models import COUNTING_STATUSES, Activity, Status
from offices.tests.factories import IndicatorFactory, OfficeFactory


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    lead_office = factory.SubFactory(OfficeFactory)
    indicator = factory.SubFactory(IndicatorFactory)
    occurred_on = dt.date(2026, 3, 2)
    title = factory.Sequence(lambda n: f"Visit to the Department of Commerce {n}")
    status = Status.SUBMITTED
    counted_since = factory.LazyAttribute(
        lambda a: (
            timezone.make_aware(dt.datetime.combine(a.occurred_on, dt.time(18)))
            if a.status in COUNTING_STATUSES
            else None
        )
    )
    created_by = factory.SubFactory(UserFactory)
    updated_by = factory.SelfAttribute("created_by")
