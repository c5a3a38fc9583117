"""Edits in the Django admin that never undo someone else's work.

The admin saves what its form holds, every field of it: a form opened before a colleague's
save would put their change back. `StaleEditAdmin` gives each change form a signed copy of
the values it was opened with; on saving, when someone else changed the record meanwhile,
the save is refused and the form is offered again under the three-way rule of
`common.merge`: the latest value for the fields the person did not touch, theirs for the
fields only they changed, and a choice for the fields both changed differently (nothing is
saved until they choose). The same rule as the application's own edit pages.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.contrib import admin
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .merge import three_way

SEEN = "_seen"
CHOICE = "keep_{}"
SALT = "common.admin.stale-edit"
MINE, THEIRS = "mine", "theirs"


def _value(field: models.Field, value: Any) -> Any:
    """A model value as the merge compares it: ids for relations, sets for lists, times in
    UTC to the second (as the admin's widgets show them)."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return value.astimezone(dt.UTC).replace(microsecond=0)
    if field.many_to_many:
        return sorted(obj.pk if isinstance(obj, models.Model) else obj for obj in value or ())
    if isinstance(value, models.Model):
        return value.pk
    if field.get_internal_type() == "JSONField":
        return json.dumps(value, sort_keys=True, cls=DjangoJSONEncoder)
    return value


def _normalise(values: dict) -> dict:
    """The values as they survive a round trip through JSON (dates as text)."""
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def _shown(field: models.Field, value: Any) -> str:
    if value in (None, "", []):
        return "—"
    if field.many_to_many or field.is_relation:
        ids = value if isinstance(value, list) else [value]
        names = [str(obj) for obj in field.related_model._default_manager.filter(pk__in=ids)]
        return ", ".join(names) or "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


class StaleEditForm(forms.ModelForm):
    """The part of the admin's form that carries what it was opened with."""

    _seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.merged: list[dict] = []
        self.tracked = [
            self._meta.model._meta.get_field(name)
            for name in self.fields
            if name in {f.name for f in self._meta.model._meta.get_fields() if f.concrete}
        ]
        # What the record holds now (the instance as loaded for this request, before any
        # of the form's values are put into it).
        self.latest = self._snapshot(self.instance) if self.instance.pk else {}
        if not self.is_bound:
            self.initial[SEEN] = signing.dumps({"values": self.latest, "choose": []}, salt=SALT)

    def _snapshot(self, instance) -> dict:
        values = {}
        for field in self.tracked:
            if field.many_to_many:
                value = list(getattr(instance, field.name).values_list("pk", flat=True))
            else:
                value = field.value_from_object(instance)
            values[field.name] = _value(field, value)
        return _normalise(values)

    def _submitted(self) -> dict:
        values = {}
        for field in self.tracked:
            if field.name in self.cleaned_data:
                value = self.cleaned_data[field.name]
                if field.many_to_many:
                    value = list(value or ())
                values[field.name] = _value(field, value)
        return _normalise(values)

    def _opened_with(self) -> tuple[dict | None, list[str]]:
        """The values the form was opened with, and the fields both people changed that
        the person must choose for (after a refusal). None without a valid copy: nobody
        can tell what the person touched."""
        try:
            opened = signing.loads(self.data.get(SEEN, ""), salt=SALT)
        except signing.BadSignature:
            return None, []
        return opened["values"], list(opened["choose"])

    def _model_value(self, name: str):
        """The record's latest value of a field, as the form's cleaned data holds it."""
        value = getattr(self.instance, name)
        return value.all() if self._meta.model._meta.get_field(name).many_to_many else value

    def _describe(self, names, theirs: dict, mine: dict, choose) -> list[dict]:
        by_name = {field.name: field for field in self.tracked}
        return [
            {
                "name": name,
                "label": str(by_name[name].verbose_name),
                "theirs": _shown(by_name[name], theirs.get(name)),
                "mine": _shown(by_name[name], mine.get(name)),
                "same": theirs.get(name) == mine.get(name),
                "choose": name in choose,
            }
            for name in sorted(names)
            if name in by_name
        ]

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk or self.errors:
            return cleaned
        base, choose = self._opened_with()
        unanswered = [n for n in choose if self.data.get(CHOICE.format(n)) not in (MINE, THEIRS)]
        if unanswered:
            self.merged = self._describe(choose, base or {}, self._submitted(), unanswered)
            raise ValidationError(
                _("Choose, for each field you both changed, whose value to keep."),
                code="choose",
            )
        for name in choose:
            if self.data.get(CHOICE.format(name)) == THEIRS and name in cleaned:
                cleaned[name] = self._model_value(name)
        if base == self.latest:
            return cleaned  # nobody else saved since the form was (re)opened
        mine = self._submitted()
        merge = three_way(base, mine, self.latest)
        self.merged = self._describe(merge.theirs_changed, self.latest, mine, merge.conflicts)
        self._offer_again(merge.values, self.latest, sorted(merge.conflicts))
        message = _(
            "Someone else saved this record after you opened it, so nothing was saved. The "
            "form now holds their values for the fields you had not changed, and yours for "
            "the fields only you changed. Check it and save again."
        )
        if merge.conflicts:
            message += " " + _("For each field you both changed, choose whose value to keep.")
        raise ValidationError(message, code="stale")

    def _offer_again(self, values: dict, theirs: dict, choose: list[str]) -> None:
        """The form's data becomes the merged values, opened now on the latest version."""
        data = self.data.copy() if isinstance(self.data, QueryDict) else QueryDict(mutable=True)
        for field in self.tracked:
            name = field.name
            if name not in values or name not in self.fields:
                continue
            form_field = self.fields[name]
            value = values[name]
            data.pop(name, None)
            if isinstance(form_field, forms.BooleanField):
                if value:
                    data[name] = "on"
            elif isinstance(value, list):
                data.setlist(name, [str(item) for item in value])
            elif isinstance(form_field, forms.JSONField):
                data[name] = value if isinstance(value, str) else json.dumps(value)
            elif isinstance(form_field, forms.SplitDateTimeField) and value:
                local = timezone.localtime(parse_datetime(value))
                data[f"{name}_0"], data[f"{name}_1"] = f"{local:%Y-%m-%d}", f"{local:%H:%M:%S}"
            else:
                data[name] = "" if value is None else str(value)
        for name in choose:  # a choice is made on the form offered now, never carried over
            data.pop(CHOICE.format(name), None)
        data[SEEN] = signing.dumps({"values": theirs, "choose": choose}, salt=SALT)
        self.data = data


class StaleEditAdmin(admin.ModelAdmin):
    """A ModelAdmin whose change form refuses a stale save and merges (see the module)."""

    change_form_template = "admin/stale_change_form.html"

    def _base_change_form_template(self) -> str:
        """The change form this one adds to: the next one in line (simple-history's, with
        its History button), or the admin's own."""
        after = type(self).__mro__[type(self).__mro__.index(StaleEditAdmin) + 1 :]
        for cls in after:
            template = cls.__dict__.get("change_form_template")
            if template:
                return template
        return "admin/change_form.html"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if issubclass(form, StaleEditForm):
            return form
        return type(form.__name__, (StaleEditForm, form), {})

    def get_fields(self, request, obj=None):
        return [name for name in super().get_fields(request, obj) if name != SEEN]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return [
            (title, {**options, "fields": [f for f in options["fields"] if f != SEEN]})
            for title, options in fieldsets
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        context["stale_merged"] = getattr(form, "merged", [])
        context["stale_seen"] = form[SEEN]
        context["stale_base_template"] = self._base_change_form_template()
        return super().render_change_form(request, context, add, change, form_url, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    """A model to look at in the admin, never to add, change or delete there: what the
    database's triggers keep, what the services write with their checks, what is evidence."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
