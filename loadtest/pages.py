"""What the simulated users read off the pages: the forms as a browser would send them, the
flash messages, the error texts. Standard library only (html.parser), so that the load
generator reads the real HTML and not a copy of the field names."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser


@dataclass
class Option:
    value: str
    selected: bool
    group: str = ""


@dataclass
class Field:
    tag: str  # input, select, textarea
    name: str
    type: str = ""  # of an input: text, hidden, checkbox, radio, submit, date...
    value: str = ""
    checked: bool = False
    multiple: bool = False
    options: list[Option] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Form:
    attrs: dict[str, str]
    fields: list[Field] = field(default_factory=list)

    @property
    def action(self) -> str:
        return self.attrs.get("action", "")

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def options(self, name: str) -> list[Option]:
        found = self.field(name)
        return [o for o in found.options if o.value] if found else []

    def checkbox_values(self, name: str) -> list[str]:
        return [f.value for f in self.fields if f.name == name and f.type == "checkbox"]

    def values(self) -> list[tuple[str, str]]:
        """What the browser sends when nothing is touched and no button is pressed."""
        pairs: list[tuple[str, str]] = []
        for f in self.fields:
            if not f.name or f.type in ("submit", "button", "image", "reset", "file"):
                continue
            if f.tag == "select":
                chosen = [o.value for o in f.options if o.selected]
                if not chosen and not f.multiple and f.options:
                    chosen = [f.options[0].value]
                pairs.extend((f.name, value) for value in chosen)
            elif f.type in ("checkbox", "radio"):
                if f.checked:
                    pairs.append((f.name, f.value or "on"))
            else:
                pairs.append((f.name, f.value))
        return pairs


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._option: Option | None = None
        self._option_text: list[str] = []
        self._option_valueless = False
        self._textarea: Field | None = None
        self._group = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(attrs=a)
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        if tag == "input":
            self._form.fields.append(
                Field(
                    tag="input",
                    name=a.get("name", ""),
                    type=a.get("type", "text").lower(),
                    value=a.get("value", ""),
                    checked="checked" in a,
                    attrs=a,
                )
            )
        elif tag == "select":
            self._select = Field(
                tag="select", name=a.get("name", ""), multiple="multiple" in a, attrs=a
            )
            self._form.fields.append(self._select)
        elif tag == "optgroup":
            self._group = a.get("label", "")
        elif tag == "option" and self._select is not None:
            self._option = Option(
                value=a.get("value", ""), selected="selected" in a, group=self._group
            )
            self._option_valueless = "value" not in a  # then its text is its value
            self._option_text = []
            self._select.options.append(self._option)
        elif tag == "textarea":
            self._textarea = Field(tag="textarea", name=a.get("name", ""), attrs=a)
            self._form.fields.append(self._textarea)
        elif tag == "button" and a.get("name"):
            self._form.fields.append(
                Field(tag="button", name=a["name"], type="submit", value=a.get("value", ""))
            )

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "optgroup":
            self._group = ""
        elif tag == "option" and self._option is not None:
            if self._option_valueless:
                self._option.value = "".join(self._option_text).strip()
            self._option = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the one newline that follows <textarea>.
            if self._textarea.value.startswith("\n"):
                self._textarea.value = self._textarea.value[1:]
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data
        elif self._option is not None:
            self._option_text.append(data)


def forms(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def find_form(html: str, *, action: str | None = None, has_field: str | None = None) -> Form:
    """The first form posting to `action` (its path) or holding a field named `has_field`."""
    for form in forms(html):
        if action is not None and form.action.split("?")[0] != action:
            continue
        if has_field is not None and form.field(has_field) is None:
            continue
        return form
    raise LookupError(f"no form (action={action!r}, field={has_field!r}) on the page")


_MESSAGE = re.compile(r'<li class="message message--(\w+)">(.*?)</li>', re.S)
_ERROR_BLOCKS = re.compile(
    r'<(?:div|p) class="(?:error-summary|field__error)[^"]*"[^>]*>(.*?)</(?:div|p)>', re.S
)
_TAG = re.compile(r"<[^>]+>")


def _text(fragment: str) -> str:
    return " ".join(unescape(_TAG.sub(" ", fragment)).split())


def messages(html: str) -> list[tuple[str, str]]:
    """The flash messages on a page: (level, text), e.g. ("success", "3 verified.")."""
    return [(level, _text(body)) for level, body in _MESSAGE.findall(html)]


def errors(html: str | None, status: int = 200, limit: int = 300) -> str:
    """The form errors a person would read, for a failure's message."""
    if status >= 500:
        return "server error (see the server's log)"
    text = " | ".join(_text(block) for block in _ERROR_BLOCKS.findall(html or ""))
    return text[:limit] or "no error shown"


def json_script(html: str, element_id: str):
    """The data of a `{{ data|json_script:"id" }}` element."""
    match = re.search(
        rf'<script id="{re.escape(element_id)}" type="application/json">(.*?)</script>', html, re.S
    )
    if match is None:
        raise LookupError(f"no json_script {element_id!r} on the page")
    return json.loads(match.group(1))


def select_choices(html: str, name: str) -> list[str]:
    """The values a page's <select name=...> offers (empty ones left out): what a filter
    takes, e.g. the activity list's office filter takes an office's id, not its code."""
    for form in forms(html):
        if options := form.options(name):
            return [option.value for option in options]
    return []
