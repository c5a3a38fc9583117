"""The CJK font a report's Chinese is printed in, looked up when a report is written.

Chinese needs a CJK font embedded in the file (fpdf2 subsets it, so only the characters used
are stored). The font is looked up in `settings.KPI_PDF_FONTS` (and `KPI_PDF_BOLD_FONTS` for
headings) or, without those settings, among the usual Debian font files: fonts-noto-cjk is
installed in the Docker image and in CI. Each setting is a list of candidates tried in order,
each a path, a `(path, face)` pair or a `(path, face for Traditional, face for Simplified
Chinese)` triple, where a face is a font's number in a .ttc collection. Where no CJK font is
installed the PDF is written in English only, and a warning is logged once.
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass

from django.conf import settings

from offices.i18n import current_suffix

logger = logging.getLogger(__name__)

FontFile = tuple[str, int]  # path, face number in a font collection (0 for a single font)
# A setting's entry: a path, (path, face) or (path, Traditional face, Simplified face).
FontEntry = str | os.PathLike | tuple[str, int] | tuple[str, int, int]

NOTO_CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-{weight}.ttc"
# Faces of the Noto Sans CJK collections whose glyph forms are those of each script.
NOTO_CJK_FACES = (3, 2)  # Traditional: Noto Sans CJK TC; Simplified: SC (4 would be HK)
# Other Debian packages with Chinese glyphs, for a machine without fonts-noto-cjk.
OTHER_CJK_FONTS: list[FontEntry] = [
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
]


@dataclass(frozen=True)
class CJKFonts:
    regular: FontFile
    bold: FontFile | None


def cjk_font_path() -> tuple[str, int] | None:
    """The installed font (path, face number in its collection) that prints the Chinese of the
    active language, or None where none of the candidates is installed."""
    default = [(NOTO_CJK.format(weight="Regular"), *NOTO_CJK_FACES), *OTHER_CJK_FONTS]
    return _first_installed("KPI_PDF_FONTS", default, chinese_variant())


def chinese_variant() -> str:
    """The Chinese printed beside the English: Simplified for a Simplified Chinese request,
    Traditional otherwise (the bureau's own script)."""
    return "zh-hans" if current_suffix() == "zh_hans" else "zh-hant"


def installed_fonts(variant: str) -> CJKFonts | None:
    """The regular and bold CJK faces for `variant`, or None (and a warning, once) where no
    CJK font is installed."""
    regular = cjk_font_path()
    if regular is None:
        _warn_no_cjk_font()
        return None
    noto_bold = (NOTO_CJK.format(weight="Bold"), *NOTO_CJK_FACES)
    bold = _first_installed("KPI_PDF_BOLD_FONTS", [noto_bold], variant)
    return CJKFonts(regular=regular, bold=bold)


def _first_installed(setting: str, default: list[FontEntry], variant: str) -> FontFile | None:
    """The first of the setting's candidates (or of `default` without the setting) whose file
    exists, with its face for `variant`. The setting is read now, not at import, so that a
    deployment or a test can change it."""
    configured = getattr(settings, setting, None)
    for entry in default if configured is None else configured:
        font = _font_file(entry, variant)
        if os.path.isfile(font[0]):
            return font
    return None


def _font_file(entry: FontEntry, variant: str) -> FontFile:
    if isinstance(entry, str | os.PathLike):
        return (os.fspath(entry), 0)
    if len(entry) == 2:
        return (os.fspath(entry[0]), entry[1])
    path, traditional, simplified = entry
    return (os.fspath(path), simplified if variant == "zh-hans" else traditional)


@functools.cache
def _warn_no_cjk_font() -> None:
    """Once per process: every report would repeat it, and the fix (install fonts-noto-cjk or
    set KPI_PDF_FONTS) is the same each time."""
    logger.warning(
        "No CJK font found (KPI_PDF_FONTS or fonts-noto-cjk): PDF reports are written in "
        "English only."
    )
