"""The Chinese catalogues are complete, and the committed .mo files say what the .po files say.

The compiled .mo files are committed so that a machine without GNU gettext still shows
Chinese. A .po edited without recompiling would quietly serve the old text: these tests
catch that, and a missing or fuzzy translation, before a user does.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings

LOCALES = ["zh_Hant", "zh_Hans"]
REFRESH = (
    "Run `make messages` (makemessages + compilemessages; needs GNU gettext) "
    "and commit both the .po and the .mo files."
)

KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$')
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")


@dataclass
class Entry:
    line: int
    flags: set[str]
    msgctxt: str | None = None
    msgid: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)

    def __str__(self) -> str:
        context = f" (context {self.msgctxt!r})" if self.msgctxt is not None else ""
        return f"line {self.line}: {self.msgid!r}{context}"


@cache
def parse_po(path: Path) -> tuple[Entry, ...]:
    """The entries of a .po file, header first. Enough of the format for makemessages'
    output: comments, flags, msgctxt, plurals and continued strings; obsolete entries
    (`#~`) are comments to gettext and are skipped here too."""
    entries: list[Entry] = []
    flags: set[str] = set()
    entry: Entry | None = None
    target: tuple[str, int | None] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or (line.startswith("#") and not line.startswith("#,")):
            continue
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith('"'):
            if entry is None or target is None:
                raise ValueError(f"{path}:{number}: string outside an entry: {raw!r}")
            value = ast.literal_eval(line)
            name, index = target
            if index is None:
                setattr(entry, name, getattr(entry, name) + value)
            else:
                entry.msgstr[index] += value
            continue
        match = KEYWORD.match(line)
        if match is None:
            raise ValueError(f"{path}:{number}: cannot read {raw!r}")
        name, index, literal = match.groups()
        value = ast.literal_eval(literal)
        if name == "msgctxt" or (name == "msgid" and (entry is None or entry.msgstr)):
            entry = Entry(line=number, flags=flags)
            entries.append(entry)
            flags = set()
        if name == "msgstr":
            position = int(index) if index is not None else 0
            entry.msgstr[position] = value
            target = ("msgstr", position)
        else:
            setattr(entry, name, value)
            target = (name, None)
    if not entries or entries[0].msgid != "":
        raise ValueError(f'{path}: no header entry (msgid "") at the top')
    return tuple(entries)


def catalogue(locale: str) -> tuple[Path, Path]:
    directory = Path(settings.LOCALE_PATHS[0]) / locale / "LC_MESSAGES"
    return directory / "django.po", directory / "django.mo"


def header(locale: str) -> dict[str, str]:
    po_path, _mo_path = catalogue(locale)
    text = parse_po(po_path)[0].msgstr[0]
    return dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)


def messages(locale: str) -> list[Entry]:
    po_path, _mo_path = catalogue(locale)
    return list(parse_po(po_path)[1:])


def listing(entries: list[Entry], limit: int = 15) -> str:
    shown = "\n".join(f"  {entry}" for entry in entries[:limit])
    more = f"\n  ... and {len(entries) - limit} more" if len(entries) > limit else ""
    return shown + more


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_header_has_one_plural_form(locale):
    po_path, _mo_path = catalogue(locale)
    assert "fuzzy" not in parse_po(po_path)[0].flags, f"{po_path}: the header is marked fuzzy"
    fields = header(locale)
    assert fields.get("Plural-Forms") == "nplurals=1; plural=0;", po_path
    assert "charset=UTF-8" in fields.get("Content-Type", ""), po_path


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated(locale):
    po_path, _mo_path = catalogue(locale)
    entries = messages(locale)
    assert entries, f"{po_path} has no messages. {REFRESH}"
    fuzzy = [entry for entry in entries if "fuzzy" in entry.flags]
    untranslated = [
        entry
        for entry in entries
        if not entry.msgstr or not all(text.strip() for text in entry.msgstr.values())
    ]
    # Chinese has one plural form, so a plural entry has msgstr[0] and nothing else.
    wrong_plurals = [
        entry for entry in entries if entry.msgid_plural is not None and set(entry.msgstr) != {0}
    ]
    problems = []
    if fuzzy:
        problems.append(f"fuzzy (check them, then remove the flag):\n{listing(fuzzy)}")
    if untranslated:
        problems.append(f"untranslated:\n{listing(untranslated)}")
    if wrong_plurals:
        problems.append(f"plural entries without exactly msgstr[0]:\n{listing(wrong_plurals)}")
    assert not problems, f"{po_path}:\n" + "\n".join(problems) + f"\nThen: {REFRESH}"


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_the_placeholders(locale):
    """A lost or misspelt %(year)s shows the wrong text or breaks the page. Chinese uses
    its one form for every number, so a plural entry follows the English plural."""
    po_path, _mo_path = catalogue(locale)
    wrong = [
        f"  {entry}: {text!r}"
        for entry in messages(locale)
        for text in entry.msgstr.values()
        if sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        != sorted(PLACEHOLDER.findall(text))
    ]
    assert not wrong, f"{po_path}: placeholders differ from the English:\n" + "\n".join(wrong)


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalogue_matches_po(locale):
    po_path, mo_path = catalogue(locale)
    assert mo_path.is_file(), f"{mo_path} is missing. {REFRESH}"
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    entries = messages(locale)
    stale = []
    for entry in entries:
        if "fuzzy" in entry.flags or not all(entry.msgstr.values()):
            continue  # msgfmt leaves these out; test_every_message_is_translated reports them
        if entry.msgid_plural is None:
            got = (
                compiled.gettext(entry.msgid)
                if entry.msgctxt is None
                else compiled.pgettext(entry.msgctxt, entry.msgid)
            )
            expected = entry.msgstr.get(0)
        else:
            got = (
                compiled.ngettext(entry.msgid, entry.msgid_plural, 2)
                if entry.msgctxt is None
                else compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 2)
            )
            expected = entry.msgstr.get(compiled.plural(2))
        if got != expected:
            stale.append(f"  {entry}\n    .po: {expected!r}\n    .mo: {got!r}")
    assert not stale, (
        f"{mo_path} is out of date with {po_path.name}: "
        f"{len(stale)} of {len(entries)} messages differ.\n"
        + "\n".join(stale[:10])
        + ("\n  ..." if len(stale) > 10 else "")
        + f"\n{REFRESH}"
    )


SIGN_IN_PAGES = {
    # language: (the <html lang>, the heading "Sign in", the bureau's name in that script)
    "zh-hant": ('lang="zh-Hant-HK"', "<h1>登入</h1>", "政制及內地事務局"),
    "zh-hans": ('lang="zh-Hans"', "<h1>登入</h1>", "政制及内地事务局"),
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "accept_language", "cookie"),
    [
        ("zh-hant", "zh-hant", None),
        ("zh-hant", "zh-HK,zh;q=0.9,en;q=0.8", None),  # what a Hong Kong browser sends
        ("zh-hant", "en", "zh-hant"),  # a choice made with the language switch wins
        ("zh-hans", "zh-hans", None),
        ("zh-hans", "zh-CN,zh;q=0.9", None),
        ("zh-hans", "en", "zh-hans"),
    ],
)
def test_sign_in_page_in_chinese(client, language, accept_language, cookie):
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=accept_language)

    assert response.status_code == 200
    assert response["Content-Language"] == language
    html = response.content.decode()
    lang_attribute, heading, bureau = SIGN_IN_PAGES[language]
    assert lang_attribute in html
    assert heading in html
    assert bureau in html
    assert "Sign in" not in html
