"""Reference data carries its names in English, Traditional and Simplified Chinese columns."""

from django.db.models import Expression, F, TextField, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language

LANGUAGE_SUFFIXES = {"en": "en", "zh-hant": "zh_hant", "zh-hans": "zh_hans"}


def _fallbacks(suffix: str) -> list[str]:
    return list(dict.fromkeys((suffix, "zh_hant", "en")))


def current_suffix() -> str:
    language = (get_language() or "en").lower()
    if language.startswith("zh"):
        return "zh_hans" if ("hans" in language or language in {"zh-cn", "zh-sg"}) else "zh_hant"
    return "en"


class LocalizedNamesMixin:
    """`obj.name` and `obj.localized("city")` answer in the language of the request.

    Falls back to Traditional Chinese, then English, when a translation is missing.
    """

    def localized(self, prefix: str) -> str:
        for candidate in _fallbacks(current_suffix()):
            value = getattr(self, f"{prefix}_{candidate}", "")
            if value:
                return value
        return ""

    @property
    def name(self) -> str:
        return self.localized("name")


def localized_expression(prefix: str) -> Expression:
    """`localized(prefix)` in SQL, in the active language: `localized_expression(
    "indicator__name")` is the indicator's name as `indicator.name` reads it (the first
    non-empty of the language's column, Traditional Chinese, English; else "")."""
    candidates = [
        NullIf(F(f"{prefix}_{suffix}"), Value("")) for suffix in _fallbacks(current_suffix())
    ]
    return Coalesce(*candidates, Value(""), output_field=TextField())
