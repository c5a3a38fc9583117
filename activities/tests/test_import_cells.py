"""The form names and titles are compared in (`cells.normalise`): NFKC, whitespace collapsed,
case-folded, whatever shortcut the code takes for ASCII or short text."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from activities.imports.cells import SHORT_TEXT, normalise


def _by_definition(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().casefold()


# Whitespace of every kind, full-width forms, letters whose case folds differently from
# lower() (ß, ﬁ, Σ), and plain ASCII.
_CHARACTERS = (
    st.sampled_from(list(" \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2028\u3000aZß\ufb01Σ Ａｚ１廣東省-,."))
    | st.characters()
)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.text(_CHARACTERS, max_size=SHORT_TEXT + 20))
def test_normalise_is_nfkc_collapsed_and_case_folded(text):
    assert normalise(text) == _by_definition(text)


def test_ascii_and_other_text_compare_alike():
    assert normalise("  Call on  the\tDepartment ") == "call on the department"
    assert normalise("Ｃａｌｌ\u3000ON the Department") == "call on the department"
    assert normalise("STRASSE") == normalise("Straße")
    assert normalise("x" * (SHORT_TEXT + 1) + "  Y") == "x" * (SHORT_TEXT + 1) + " y"
