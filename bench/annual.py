"""The annual report at the bench's size: the workbook (its sheets of figures and every
counted activity of the year) and the PDF, each written as a bureau admin publishes it
(reports.services.report_write: one consistent read, then the file), with its queries."""

from __future__ import annotations

import tempfile

from django.db import connection

from reports.report import ReportScope
from reports.services import report_write

from .measurement import Measurement, QueryRecorder, SizeResult, timed
from .options import EXPORT_REPEAT, EXPORT_YEAR

REPORT_FORMATS = ("xlsx", "pdf")


def report_name(fmt: str) -> str:
    return f"annual report {EXPORT_YEAR} {fmt.upper()}"


def measure_annual_report(result: SizeResult) -> None:
    """Each format written EXPORT_REPEAT times into a temporary file, the first run with its
    queries counted; rows: the counted activities the workbook lists."""
    scope = ReportScope.annual(EXPORT_YEAR)
    rows = scope.activities().count()
    for fmt in REPORT_FORMATS:

        def write(fmt: str = fmt) -> None:
            with tempfile.TemporaryFile() as fileobj:
                report_write(scope, fmt, fileobj)

        write()  # warm-up: fonts, templates, translations loaded
        recorder = QueryRecorder()
        with connection.execute_wrapper(recorder):
            times = [timed(write)]
        times += [timed(write) for _run in range(EXPORT_REPEAT - 1)]
        result.slow_queries[report_name(fmt)] = recorder.slowest
        result.add(
            Measurement(
                report_name(fmt),
                times,
                queries=recorder.count,
                rows=rows if fmt == "xlsx" else None,
                kind="report",
            )
        )
