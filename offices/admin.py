from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from common.admin import StaleEditAdmin

from .deactivation import ConfirmDeactivationForm
from .models import AnnualTarget, Counterpart, Indicator, Office, OfficeTarget, Region


@admin.register(Region)
class RegionAdmin(StaleEditAdmin):
    list_display = ("code", "name_en", "name_zh_hant", "name_zh_hans", "kind")
    list_filter = ("kind",)
    search_fields = ("code", "name_en", "name_zh_hant", "name_zh_hans")


@admin.register(Office)
class OfficeAdmin(StaleEditAdmin):
    form = ConfirmDeactivationForm
    list_display = ("code", "name_en", "name_zh_hant", "kind", "parent", "city_en", "is_active")
    list_filter = ("kind", "is_active", "parent")
    list_select_related = ("parent",)
    search_fields = ("code", "name_en", "name_zh_hant", "name_zh_hans")
    filter_horizontal = ("regions",)


@admin.register(Indicator)
class IndicatorAdmin(StaleEditAdmin):
    form = ConfirmDeactivationForm
    list_display = ("code", "name_en", "name_zh_hant", "display_order", "is_active")
    list_editable = ("display_order",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "code",
                    "name_en",
                    "name_zh_hant",
                    "name_zh_hans",
                    "display_order",
                    "is_active",
                    "confirm_deactivation",
                )
            },
        ),
        (None, {"fields": ("description_en", "description_zh_hant", "description_zh_hans")}),
        (
            _("What the activity form asks for"),
            {
                "fields": (
                    "counterpart_types",
                    "counterpart_required",
                    "asks_authority_level",
                    "asks_event_name",
                )
            },
        ),
    )
    search_fields = ("code", "name_en", "name_zh_hant", "name_zh_hans")


@admin.register(AnnualTarget)
class AnnualTargetAdmin(StaleEditAdmin, SimpleHistoryAdmin):
    list_display = ("year", "indicator", "target", "source")
    list_filter = ("year", "indicator")
    list_select_related = ("indicator",)


@admin.register(OfficeTarget)
class OfficeTargetAdmin(StaleEditAdmin, SimpleHistoryAdmin):
    list_display = ("year", "office", "indicator", "target")
    list_filter = ("year", "office", "indicator")
    list_select_related = ("office", "indicator")


@admin.register(Counterpart)
class CounterpartAdmin(StaleEditAdmin):
    form = ConfirmDeactivationForm
    list_display = ("name_en", "name_zh_hant", "type", "region", "is_active", "created_by")
    readonly_fields = ("created_by", "created_at")
    list_filter = ("type", "region", "is_active")
    list_select_related = ("region",)
    search_fields = ("name_en", "name_zh_hant", "name_zh_hans")
    autocomplete_fields = ("parent",)
