"""The counterparts directory: browse, look one up, add one (as a page, or from the
activity form's picker with fetch), and the type-ahead's JSON. Thin: the directory's
rules are in offices/counterparts.py; the activities with each counterpart come from
activities.selectors."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from common.web import apply_errors, querystring_without
from offices import access as offices_access
from offices import counterparts as directory
from offices.i18n import current_suffix
from offices.models import Counterpart, Region

from .. import selectors

PER_PAGE = 25
DIALOG_AUTO_ID = "cp-new-%s"  # the dialog sits on the activity form's page: no id clashes


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Name contains"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=gettext_lazy("English, Traditional or Simplified Chinese."),
    )
    type = forms.ChoiceField(label=gettext_lazy("Type"), required=False)
    region = forms.ModelChoiceField(
        label=gettext_lazy("Region"),
        queryset=Region.objects.all(),
        required=False,
        empty_label=gettext_lazy("Any region"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("Any type")), *Counterpart.Type.choices]


class CounterpartForm(forms.Form):
    """Input for `counterpart_create`; the service decides what is a duplicate."""

    type = forms.ChoiceField(label=gettext_lazy("Type"))
    name_en = forms.CharField(
        label=gettext_lazy("Name in English"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"lang": "en", "autocomplete": "off"}),
    )
    name_zh_hant = forms.CharField(
        label=gettext_lazy("Name in Traditional Chinese"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"lang": "zh-Hant", "autocomplete": "off"}),
    )
    name_zh_hans = forms.CharField(
        label=gettext_lazy("Name in Simplified Chinese"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"lang": "zh-Hans", "autocomplete": "off"}),
    )
    region = forms.ModelChoiceField(
        label=gettext_lazy("Region"),
        queryset=Region.objects.all(),
        required=False,
        empty_label="—",
        help_text=gettext_lazy("Leave empty for a national body."),
    )
    parent = forms.ModelChoiceField(
        label=gettext_lazy("Parent authority"),
        queryset=directory.authorities(),
        required=False,
        empty_label="—",
        help_text=gettext_lazy(
            "The authority this body belongs to, if any: plans warn when two offices engage "
            "bodies of the same authority."
        ),
    )
    confirm_similar = forms.BooleanField(
        label=gettext_lazy("It's a different body: add it anyway"), required=False
    )

    def __init__(self, *args, exclude_types: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.exclude_types = exclude_types or []
        self.fields["type"].choices = [
            (value, label)
            for value, label in Counterpart.Type.choices
            if value not in self.exclude_types
        ]
        self.similar: list[directory.SimilarCounterpart] = []

    def clean(self):
        data = super().clean()
        if not any(data.get(f, "").strip() for f in ("name_en", "name_zh_hant", "name_zh_hans")):
            raise ValidationError(_("Give the name in English or Chinese."), code="no_name")
        return data


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


# --- the directory ----------------------------------------------------------------------


@login_required
@require_GET
def counterpart_list(request: HttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    queryset = selectors.with_visible_activity_counts(
        directory.counterpart_directory(
            q=filters.get("q", ""), type=filters.get("type", ""), region=filters.get("region")
        ),
        user=request.user,
    )
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "counterparts/counterpart_list.html",
        {
            "filter_form": form,
            "page": page,
            "querystring": querystring_without(request, "page"),
            "can_add": offices_access.can_add_counterparts(request.user),
        },
    )


@login_required
@require_GET
def counterpart_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Any signed-in user may see a counterpart (the directory is shared); the activities
    listed are only those the user may see."""
    counterpart = get_object_or_404(Counterpart.objects.select_related("region", "parent"), pk=pk)
    activities = selectors.counterpart_activities(user=request.user, counterpart=counterpart)
    page = Paginator(activities, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "counterparts/counterpart_detail.html",
        {
            "counterpart": counterpart,
            "bodies": counterpart.bodies.order_by("type", "name_en"),
            "page": page,
            "querystring": querystring_without(request, "page"),
        },
    )


# --- add one ----------------------------------------------------------------------------


def _initial_from_query(request: HttpRequest) -> dict:
    """The picker opens the form with what the user typed and the indicator's first type."""
    initial: dict = {}
    name = directory.tidy_name(request.GET.get("name", ""), english=False)[:200]
    if name:
        has_chinese = any("\u3400" <= ch <= "\u9fff" for ch in name)
        if not has_chinese:
            initial["name_en"] = name
        elif current_suffix() == "zh_hans":
            initial["name_zh_hans"] = name
        else:
            initial["name_zh_hant"] = name
    if request.GET.get("type") in Counterpart.Type.values:
        initial["type"] = request.GET["type"]
    return initial


def _similar_as_dicts(similar: list[directory.SimilarCounterpart]) -> list[dict]:
    return [
        {
            **directory.counterpart_as_dict(s.counterpart),
            "url": reverse("counterparts:detail", args=[s.counterpart.pk]),
            "reason": s.reason,
        }
        for s in similar
    ]


@login_required
@require_http_methods(["GET", "POST"])
def counterpart_create(request: HttpRequest) -> HttpResponse:
    """A page of its own without JavaScript; with it, the activity form's picker loads the
    form into a dialog (`?fragment=1`) and posts it with fetch (Accept: application/json).
    Success: 201 with the counterpart. Near-identical names: 200 with them and the form
    re-rendered for the dialog; a name to check is the expected outcome of the request,
    not its failure. Invalid or an exact duplicate: the same with the errors, and 400."""
    offices_access.require_can_add_counterparts(request.user)
    source = request.POST if request.method == "POST" else request.GET
    dialog = source.get("fragment") == "1"
    exclude_types = [t for t in source.getlist("exclude_type") if t in Counterpart.Type.values]
    form_kwargs = {
        "exclude_types": exclude_types,
        "auto_id": DIALOG_AUTO_ID if dialog else "id_%s",
    }
    if request.method == "GET":
        form = CounterpartForm(initial=_initial_from_query(request), **form_kwargs)
        if dialog:
            return render(request, "counterparts/_form.html", {"form": form, "dialog": True})
        return render(request, "counterparts/counterpart_form.html", {"form": form})

    form = CounterpartForm(request.POST, **form_kwargs)
    counterpart = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            counterpart = directory.counterpart_create(
                user=request.user,
                type=data["type"],
                name_en=data["name_en"],
                name_zh_hant=data["name_zh_hant"],
                name_zh_hans=data["name_zh_hans"],
                region=data["region"],
                parent=data["parent"],
                confirm_similar=data["confirm_similar"],
            )
        except directory.SimilarCounterpartsExist as exc:
            form.similar = exc.similar
        except ValidationError as exc:
            # An exact duplicate: offer the one that exists (and its near-namesakes).
            form.similar = directory.counterparts_similar_to(
                name_en=data["name_en"],
                name_zh_hant=data["name_zh_hant"],
                name_zh_hans=data["name_zh_hans"],
            )
            apply_errors(form, exc)

    if counterpart is not None:
        if _wants_json(request):
            return JsonResponse(
                {"counterpart": directory.counterpart_as_dict(counterpart)}, status=201
            )
        messages.success(
            request, _("“%(name)s” is now in the directory.") % {"name": counterpart.name}
        )
        return redirect("counterparts:detail", pk=counterpart.pk)

    status = 400 if form.errors else 200
    if _wants_json(request):
        return JsonResponse(
            {
                "errors": {field: [str(e) for e in errs] for field, errs in form.errors.items()},
                "similar": _similar_as_dicts(form.similar),
                "html": render_to_string(
                    "counterparts/_form.html", {"form": form, "dialog": dialog}, request=request
                ),
            },
            status=status,
        )
    return render(request, "counterparts/counterpart_form.html", {"form": form}, status=status)


# --- type-ahead -------------------------------------------------------------------------


@login_required
@require_GET
def counterpart_search_json(request: HttpRequest) -> JsonResponse:
    """`?q=...&type=media&type=chamber&exclude_type=partner`: up to 20 active counterparts,
    the given types first, then those in the regions the person's office covers."""
    results = directory.counterpart_search(
        request.GET.get("q", ""),
        types=request.GET.getlist("type"),
        exclude_types=request.GET.getlist("exclude_type"),
        regions=directory.regions_covered_for(request.user),
    )
    return JsonResponse({"results": [directory.counterpart_as_dict(c) for c in results]})
