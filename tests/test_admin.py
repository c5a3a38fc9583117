"""The Django admin covers every model, shows history where there is one, and is for
bureau admins only."""

import pytest
from django.contrib import admin
from django.urls import reverse

from activities.models import Activity
from activities.tests.factories import ActivityFactory
from loadtest import pages
from offices.tests.factories import AnnualTargetFactory

pytestmark = pytest.mark.django_db

OUR_APPS = {"accounts", "offices", "activities", "reports"}


def our_models():
    from django.apps import apps

    return [
        m
        for m in apps.get_models()
        if m._meta.app_label in OUR_APPS
        and not m.__name__.startswith("Historical")
        and m._meta.auto_created is False
    ]


def test_every_model_of_ours_is_registered():
    missing = [m.__name__ for m in our_models() if not admin.site.is_registered(m)]
    assert missing == []


@pytest.mark.parametrize("model", our_models(), ids=lambda m: m.__name__)
def test_admin_changelist_and_add_pages_open(client_admin, model, office_a, indicator):
    ActivityFactory(lead_office=office_a, indicator=indicator)
    opts = model._meta
    changelist = client_admin.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200
    add = client_admin.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert add.status_code in (200, 403)  # 403: the model has no add permission by design


def test_activity_history_is_visible_in_the_admin(client_admin, office_a, indicator):
    activity = ActivityFactory(lead_office=office_a, indicator=indicator, title="First title")
    activity.title = "Second title"
    activity.save()

    response = client_admin.get(reverse("admin:activities_activity_history", args=[activity.pk]))

    assert response.status_code == 200
    assert response.content.decode().count("Second title") >= 1
    assert len(response.context["page_obj"].object_list) == 2


def test_target_history_is_visible_in_the_admin(client_admin, indicator):
    target = AnnualTargetFactory(indicator=indicator, target=3400)
    target.target = 3500
    target.save()

    response = client_admin.get(reverse("admin:offices_annualtarget_history", args=[target.pk]))

    assert response.status_code == 200
    assert [r.target for r in response.context["page_obj"].object_list] == [3500, 3400]


def test_activities_cannot_be_deleted_from_the_admin(client_admin, office_a, indicator):
    activity = ActivityFactory(lead_office=office_a, indicator=indicator)
    response = client_admin.post(
        reverse("admin:activities_activity_delete", args=[activity.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Activity.objects.filter(pk=activity.pk).exists()


@pytest.mark.parametrize("persona", ["client_staff_a", "client_supervisor_a", "client_bureau"])
def test_only_admins_reach_the_admin(request, persona):
    client = request.getfixturevalue(persona)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "login" in response.url


def test_an_admin_can_log_and_submit_an_activity_and_it_counts_from_then(
    client_admin, bureau_admin, office_a, indicator
):
    data = {
        "lead_office": office_a.pk,
        "indicator": indicator.pk,
        "occurred_on": "2026-03-02",
        "title": "Visit logged by the bureau",
        "status": "draft",
        "city": "",
        "hk_participants": "",
        "notes": "",
        "review_comment": "",
        "removal_reason": "",
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
        "evidence-MIN_NUM_FORMS": "0",
        "evidence-MAX_NUM_FORMS": "1000",
    }
    response = client_admin.post(reverse("admin:activities_activity_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    activity = Activity.objects.get()
    assert (activity.created_by, activity.version, activity.counted_since) == (
        bureau_admin,
        1,
        None,
    )

    # The change form carries what it was opened with (a stale save is refused, merged).
    url = reverse("admin:activities_activity_change", args=[activity.pk])
    seen = pages.find_form(client_admin.get(url).content.decode(), has_field="_seen")
    response = client_admin.post(
        url, {**data, "status": "submitted", "_seen": seen.field("_seen").value}
    )

    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == "submitted"
    assert activity.counted_since is not None
    assert activity.version == 2
    assert Activity.objects.counted().count() == 1


# accounts/admin.py names this column after its method (no description): labelled there.
UNLABELLED_ELSEWHERE: set[tuple[str, str]] = set()


def test_every_admin_column_is_named_in_chinese():
    from django.contrib.admin.utils import label_for_field
    from django.utils import translation

    untranslated = []
    for model, model_admin in admin.site._registry.items():
        for name in model_admin.list_display:
            if name == "__str__" or (model._meta.label, name) in UNLABELLED_ELSEWHERE:
                continue
            with translation.override("en"):
                english = str(label_for_field(name, model, model_admin))
            with translation.override("zh-hant"):
                chinese = str(label_for_field(name, model, model_admin))
            if chinese == english:
                untranslated.append(f"{model._meta.label}.{name}: {english}")
    assert not untranslated, "\n".join(untranslated)
