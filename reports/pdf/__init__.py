"""The annual and progress reports as a printable, bilingual PDF.

The document is printed, filed and passed on to readers of English and of Chinese, so every
heading and label carries both languages whatever the language of the request; only the script
of the Chinese follows the request. Where no CJK font is installed the PDF is written in English
only, rather than with empty boxes or an error.

- `document`: `write_pdf`, the one entry point, and the sections in the order they are printed.
- `fonts`: which CJK font prints the Chinese (settings `KPI_PDF_FONTS`, `KPI_PDF_BOLD_FONTS`, or
  the Debian font files), looked up when a report is written.
- `labels`: every fixed text in English, Traditional and Simplified Chinese, and how dates and
  numbers are written.
- `layout`: the bilingual A4 page (`ReportPDF`) and the headings, notes, tables and legends the
  sections are built from.
- `charts`: the bar and column charts, drawn with fpdf2's own shapes.
"""

from .document import write_pdf

__all__ = ["write_pdf"]
