"""Targets administration screens: the year's office × indicator grid, copying the previous
year forward, and the history. Thin: the rules are in offices/targets/."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from accounts.templatetags.people import person
from common.web import apply_errors, form_status

from . import access
from .targets import conflicts as target_conflicts
from .targets import rules as target_rules
from .targets import selectors as target_selectors
from .targets import services as target_services
from .targets.selectors import GridRow, TargetGrid

# --- forms ------------------------------------------------------------------------------


def _reason_field(*, year: int, started: bool) -> forms.CharField:
    if started:
        help_text = _(
            "Required for any change: %(year)s has started. Kept in the targets' history. "
            "Up to %(max)s characters."
        ) % {"year": year, "max": target_rules.REASON_MAX_LENGTH}
    else:
        help_text = _(
            "Optional until 1 January %(year)s, when the year starts. Up to %(max)s characters."
        ) % {"year": year, "max": target_rules.REASON_MAX_LENGTH}
    return forms.CharField(
        label=gettext_lazy("Reason for the change"),
        required=False,
        max_length=target_rules.REASON_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=help_text,
    )


class TargetField(forms.IntegerField):
    """One cell of the grid: empty, or a whole number from 1 to 1,000,000."""

    def __init__(self, **kwargs):
        super().__init__(
            required=False,
            min_value=target_rules.MIN_TARGET,
            max_value=target_rules.MAX_TARGET,
            widget=forms.NumberInput(
                attrs={"inputmode": "numeric", "step": 1, "class": "target-input"}
            ),
            error_messages={
                "invalid": gettext_lazy("Enter a whole number."),
                "min_value": gettext_lazy("Enter a whole number of 1 or more."),
                "max_value": gettext_lazy("Enter a number no larger than 1,000,000."),
            },
            **kwargs,
        )


class TargetGridForm(forms.Form):
    """Every cell of the grid plus the reason. The service decides whether the reason is
    needed (it knows what changed).

    After a refusal (someone else saved targets since the grid was opened) the grid comes
    back merged, and a cell both people changed is chosen rather than typed: its input
    carries the person's value out of sight, and two radio buttons say which value to keep."""

    def __init__(
        self, *args, grid: TargetGrid, conflicts_to_choose: list[str] | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.grid = grid
        self.rows: list[GridRow] = grid.rows()
        keys = [cell.key for row in self.rows for cell in row.cells]
        wanted = (
            set(conflicts_to_choose)
            if conflicts_to_choose is not None
            else {key.strip() for key in str(self.data.get("choose", "")).split(",")}
        )
        self.conflict_keys = [key for key in keys if key in wanted]
        self.fields["choose"] = forms.CharField(
            required=False, widget=forms.HiddenInput, initial=",".join(self.conflict_keys)
        )
        for row in self.rows:
            scope = row.office.name if row.office else _("Bureau-wide")
            for cell in row.cells:
                self.fields[cell.key] = TargetField(
                    label=_("%(scope)s — %(indicator)s target")
                    % {"scope": scope, "indicator": cell.indicator.name},
                    initial=cell.value,
                )
                # The value the person saw, to notice a colleague's change in between.
                self.fields[f"seen-{cell.key}"] = forms.IntegerField(
                    required=False, widget=forms.HiddenInput, initial=cell.value
                )
        self.fields["reason"] = _reason_field(year=grid.year, started=grid.started)
        for row in self.rows:
            for cell in row.cells:
                if cell.key in self.conflict_keys:
                    self.fields[cell.key].widget = forms.HiddenInput()
                    self.fields[f"choice-{cell.key}"] = forms.ChoiceField(
                        label=self.fields[cell.key].label,
                        choices=[("mine", _("Keep yours")), ("theirs", _("Take theirs"))],
                        widget=forms.RadioSelect,
                        error_messages={"required": _("Choose which value to keep.")},
                    )
                cell.field = self[cell.key]
                cell.seen = self[f"seen-{cell.key}"]
                cell.choice = self[f"choice-{cell.key}"] if cell.key in self.conflict_keys else None

    @property
    def choices_to_make(self) -> list:
        return [self[f"choice-{key}"] for key in self.conflict_keys]

    def clean(self):
        data = super().clean()
        # Taking the other value is taking the value the merged grid was "seen" with: to
        # the rule, a cell the person did not change. If yet another change came in since,
        # saving is refused and merged again.
        for key in self.conflict_keys:
            if data.get(f"choice-{key}") == "theirs":
                data[key] = data.get(f"seen-{key}")
        return data

    def describe_choices(self, changes: list[target_conflicts.ChangedCell]) -> None:
        """Name each choice by its value, and the other one by who saved it and when."""
        for change in changes:
            field = self.fields.get(f"choice-{change.key}")
            if field is None or not change.is_conflict:
                continue
            when = (
                date_format(timezone.localtime(change.at), "SHORT_DATETIME_FORMAT")
                if change.at
                else ""
            )
            field.choices = [
                ("mine", _("Keep yours: %(value)s") % {"value": _target_display(change.mine)}),
                (
                    "theirs",
                    _("Take the one %(person)s saved at %(when)s: %(value)s")
                    % {
                        "person": person(change.by),
                        "when": when,
                        "value": _target_display(change.new),
                    },
                ),
            ]
            if change.old is not None:
                # The bound field keeps a copy of the help text: it may be built already.
                field.help_text = self[f"choice-{change.key}"].help_text = _(
                    "When you opened the grid: %(value)s"
                ) % {"value": _target_display(change.old)}

    def cells(self) -> list[tuple[str, object, object]]:
        return [(cell.key, cell.indicator, row.office) for row in self.rows for cell in row.cells]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        bureau, shares, seen_bureau, seen_shares = {}, {}, {}, {}
        for row in self.rows:
            for cell in row.cells:
                seen = data.get(f"seen-{cell.key}")
                if row.office is None:
                    bureau[cell.indicator.pk] = data[cell.key]
                    seen_bureau[cell.indicator.pk] = seen
                else:
                    shares[(row.office.pk, cell.indicator.pk)] = data[cell.key]
                    seen_shares[(row.office.pk, cell.indicator.pk)] = seen
        return {
            "bureau": bureau,
            "shares": shares,
            "reason": data["reason"],
            "seen_bureau": seen_bureau,
            "seen_shares": seen_shares,
        }


def _target_display(value: int | None) -> str:
    return _("empty") if value is None else number_format(value, force_grouping=True)


class CopyForwardForm(forms.Form):
    def __init__(self, *args, year: int, started: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"] = _reason_field(year=year, started=started)


def _check_year(year: int) -> None:
    if not target_rules.is_valid_year(year):
        raise Http404


def _year_context(year: int) -> dict:
    today = timezone.localdate()
    return {
        "year": year,
        "previous_year": year - 1 if target_rules.is_valid_year(year - 1) else None,
        "next_year": year + 1 if target_rules.is_valid_year(year + 1) else None,
        "years": target_rules.year_choices(year, today=today),
        "started": target_rules.year_has_started(year, today=today),
    }


# --- views ------------------------------------------------------------------------------


@login_required
@require_GET
def targets_index(request: HttpRequest) -> HttpResponse:
    """`/targets/` opens this year; the year selector's `?year=` opens the year chosen."""
    access.require_can_view_targets(request.user)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    if not target_rules.is_valid_year(year):
        year = timezone.localdate().year
    if request.GET.get("view") == "history":
        return redirect("targets:history", year=year)
    return redirect("targets:year", year=year)


@login_required
@require_http_methods(["GET", "POST"])
def targets_year(request: HttpRequest, year: int) -> HttpResponse:
    """Bureau admins edit the grid; bureau viewers read it."""
    access.require_can_view_targets(request.user)
    _check_year(year)
    can_edit = access.can_edit_targets(request.user)
    if request.method == "POST":
        access.require_can_edit_targets(request.user)
    grid = target_selectors.target_grid(year=year)
    form = None
    if can_edit:
        form = TargetGridForm(request.POST if request.method == "POST" else None, grid=grid)
    changes = refused = None
    if form is not None and form.is_bound and form.is_valid():
        try:
            saved = target_services.targets_save(
                user=request.user, year=year, **form.service_kwargs()
            )
        except target_conflicts.TargetsChangedError as exc:
            refused, changes = exc, exc.changes
            # The grid comes back merged: what the others changed where this person did
            # not, this person's own entries, and a choice where both changed a cell. The
            # values "seen" are those it was merged with, so that only a new change
            # refuses it again.
            grid = target_selectors.target_grid(year=year)
            form = TargetGridForm(
                grid=grid,
                initial={
                    **exc.values,
                    **{f"seen-{key}": value for key, value in exc.latest.items()},
                    "reason": form.cleaned_data["reason"],
                },
                conflicts_to_choose=[change.key for change in exc.conflicts],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if saved:
                messages.success(
                    request,
                    ngettext(
                        "Saved %(count)d change to the targets for %(year)s.",
                        "Saved %(count)d changes to the targets for %(year)s.",
                        len(saved),
                    )
                    % {"count": len(saved), "year": year},
                )
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("targets:year", year=year)
    elif form is not None and form.is_bound and form.conflict_keys:
        # Back before every choice was made: name them again.
        data = form.cleaned_data
        changes = target_conflicts.cells_to_choose(
            year=year,
            mine={key: data.get(key) for key in form.conflict_keys},
            theirs={key: data.get(f"seen-{key}") for key in form.conflict_keys},
            cells=form.cells(),
        )
    if changes is not None:
        form.describe_choices(changes)
    return render(
        request,
        "targets/grid.html",
        {
            **_year_context(year),
            "grid": grid,
            "rows": form.rows if form is not None else grid.rows(),
            "form": form,
            "can_edit": can_edit,
            "changes": changes,
            "refused": refused is not None,
        },
        status=409 if refused is not None else form_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def targets_copy(request: HttpRequest, year: int) -> HttpResponse:
    """Shows what the previous year would fill in, and copies it on confirmation."""
    access.require_can_edit_targets(request.user)
    _check_year(year)
    _check_year(year - 1)
    context = _year_context(year)
    form = CopyForwardForm(
        request.POST if request.method == "POST" else None,
        year=year,
        started=context["started"],
    )
    if form.is_bound and form.is_valid():
        try:
            copied = target_services.targets_copy_forward(
                user=request.user, year=year, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if copied:
                messages.success(
                    request,
                    ngettext(
                        "Copied %(count)d target from %(previous)s into %(year)s. "
                        "Review the grid and save any changes.",
                        "Copied %(count)d targets from %(previous)s into %(year)s. "
                        "Review the grid and save any changes.",
                        copied,
                    )
                    % {"count": copied, "previous": year - 1, "year": year},
                )
            else:
                messages.info(request, _("Nothing to copy: every cell was already set."))
            return redirect("targets:year", year=year)
    return render(
        request,
        "targets/copy.html",
        {**context, "items": target_selectors.copy_forward_preview(year=year), "form": form},
        status=form_status(form),
    )


@login_required
@require_GET
def targets_history(request: HttpRequest, year: int) -> HttpResponse:
    access.require_can_view_targets(request.user)
    _check_year(year)
    return render(
        request,
        "targets/history.html",
        {
            **_year_context(year),
            "entries": target_selectors.target_history(year=year),
            "can_edit": access.can_edit_targets(request.user),
        },
    )
