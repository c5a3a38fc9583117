"""Time the bulk import of a 5 000-row spreadsheet: preview and confirm.

Run by hand (not part of `make test`), against the configured database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kpi_bench .venv/bin/python bench/import_preview.py

It creates its own data in a throwaway test database (pytest-django style is not used:
the script creates and drops the database itself via Django's test runner utilities).
"""

import datetime as dt
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpi_tracker.settings.test")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402
from openpyxl import Workbook  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "5000"))


def workbook(rows: int) -> bytes:
    from activities import imports

    book = Workbook()
    sheet = book.active
    sheet.append([column.header for column in imports.COLUMNS])
    keys = [column.key for column in imports.COLUMNS]
    today = timezone.localdate()
    for n in range(rows):
        row = {
            "date": today - dt.timedelta(days=n % 5),
            "indicator": "visits",
            "title": f"Call on the Department of Commerce, meeting {n}",
            "region": "廣東省",
            "counterparts": "廣東省商務廳",
            "authority_level": "provincial",
        }
        sheet.append([row.get(key, "") for key in keys])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def main() -> None:
    from accounts.models import User
    from activities import imports
    from activities.models import Activity
    from offices.models import Office

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        call_command("load_reference_data", verbosity=0)
        call_command("seed_demo", "--users-only", verbosity=0)
        user = User.objects.get(username="gdeto.staff")
        office = Office.objects.get(code="GDETO")
        content = workbook(ROWS)
        upload = SimpleUploadedFile("bench.xlsx", content)

        reset_queries()
        started = time.perf_counter()
        batch = imports.import_preview(user=user, office=office, upload=upload)
        preview = time.perf_counter() - started
        preview_queries = len(connection.queries)

        reset_queries()
        started = time.perf_counter()
        outcome = imports.import_confirm(user=user, batch_id=batch.pk, expected=ROWS)
        confirm = time.perf_counter() - started
        print(f"rows: {ROWS}  database: {connection.vendor}")
        print(f"preview: {preview:.2f} s, {preview_queries} queries")
        print(
            f"confirm: {confirm:.2f} s, {len(connection.queries)} queries; imported {Activity.objects.count()} ({outcome})"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    from django.conf import settings

    settings.DEBUG = True  # count queries
    main()
