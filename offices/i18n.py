"""Reference data carries its names in English, Traditional and Simplified Chinese columns."""

from django.utils.translation import get_language

LANGUAGE_SUFFIXES = {"en": "en", "zh-hant": "zh_hant", "zh-hans": "zh_hans"}


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
        suffix = current_suffix()
        for candidate in (suffix, "zh_hant", "en"):
            value = getattr(self, f"{prefix}_{candidate}", "")
            if value:
                return value
        return ""

    @property
    def name(self) -> str:
        return self.localized("name")
