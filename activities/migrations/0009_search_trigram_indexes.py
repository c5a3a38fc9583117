"""The list's free-text search (ActivityFilter.search: title, city, notes, event, any case)
read from trigram indexes on PostgreSQL, instead of every row. pg_trgm is a trusted
extension (PostgreSQL 13 and later): the database's owner may create it. SQLite searches
its rows, as before."""

from django.db import migrations

SEARCHED = ("title", "city", "notes", "event_name")


def _index(column: str) -> str:
    return f"activity_search_{column}"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in SEARCHED:
        # The expression Django writes for `icontains`: UPPER("column"::text) LIKE UPPER(%s).
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {_index(column)} ON activities_activity "
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCHED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {_index(column)}")


class Migration(migrations.Migration):
    dependencies = [("activities", "0008_list_sort_indexes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
