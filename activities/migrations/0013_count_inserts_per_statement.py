"""On PostgreSQL, the roll-ups count the activities an INSERT writes once per statement, not
once per row: a trigger FOR EACH STATEMENT reads the rows written (its transition table),
groups them by key and adds each group's count, so that the import's 5 000 rows cost one
statement per roll-up instead of 5 000 calls. The rows are the same as the per-row triggers
of migrations 0004 and 0011 made: the same keys, the same counts. UPDATE and DELETE keep
their per-row triggers, and SQLite (which has no statement triggers) keeps all of its.

Lock order: the month roll-up's trigger runs before the "as of" one (PostgreSQL runs the
triggers of one event in the order of their names, "activities_count_..." before
"activities_counts_..."), and each changes its rows in key order, the order lock_counts
takes them in: every write still locks the month roll-up's rows first, in one order.
"""

from django.db import migrations

MONTH_KEY = "lead_office_id, indicator_id, region_key, month, status"
AS_OF_KEY = "lead_office_id, indicator_id, region_key, month, grain, counted_by"
_COUNTS = "removed_at IS NULL AND status IN ('submitted', 'verified')"
_BY = "GREATEST(occurred_on, (counted_since AT TIME ZONE 'Asia/Hong_Kong')::date)"

FORWARD = [
    f"""
    CREATE FUNCTION activities_count_insert_rows() RETURNS trigger AS $$
    BEGIN
        INSERT INTO activities_activitymonthcount ({MONTH_KEY}, n)
        SELECT lead_office_id, indicator_id, COALESCE(region_id, 0),
               date_trunc('month', occurred_on)::date, status, COUNT(*)
        FROM new_activities WHERE removed_at IS NULL
        GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT ({MONTH_KEY}) DO UPDATE SET n = activities_activitymonthcount.n + EXCLUDED.n;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE FUNCTION activities_as_of_count_insert_rows() RETURNS trigger AS $$
    BEGIN
        INSERT INTO activities_activityasofcount ({AS_OF_KEY}, n)
        SELECT counting.lead_office_id, counting.indicator_id, counting.region_key,
               counting.month, grains.grain, grains.counted_by, COUNT(*)
        FROM (
            SELECT lead_office_id, indicator_id, COALESCE(region_id, 0) AS region_key,
                   date_trunc('month', occurred_on)::date AS month, {_BY} AS by_day
            FROM new_activities WHERE {_COUNTS}
        ) AS counting
        CROSS JOIN LATERAL (
            VALUES ('month', date_trunc('month', counting.by_day)::date),
                   ('day', counting.by_day)
        ) AS grains (grain, counted_by)
        GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT ({AS_OF_KEY}) DO UPDATE SET n = activities_activityasofcount.n + EXCLUDED.n;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER activities_count_insert_delete ON activities_activity",
    """
    CREATE TRIGGER activities_count_delete AFTER DELETE ON activities_activity
    FOR EACH ROW EXECUTE FUNCTION activities_count_change()
    """,
    """
    CREATE TRIGGER activities_count_insert AFTER INSERT ON activities_activity
    REFERENCING NEW TABLE AS new_activities
    FOR EACH STATEMENT EXECUTE FUNCTION activities_count_insert_rows()
    """,
    "DROP TRIGGER activities_counts_as_of_insert ON activities_activity",
    """
    CREATE TRIGGER activities_counts_as_of_insert AFTER INSERT ON activities_activity
    REFERENCING NEW TABLE AS new_activities
    FOR EACH STATEMENT EXECUTE FUNCTION activities_as_of_count_insert_rows()
    """,
]

BACKWARD = [
    "DROP TRIGGER activities_counts_as_of_insert ON activities_activity",
    f"""
    CREATE TRIGGER activities_counts_as_of_insert AFTER INSERT ON activities_activity
    FOR EACH ROW WHEN (NEW.{_COUNTS.replace(" AND status", " AND NEW.status")})
    EXECUTE FUNCTION activities_as_of_count_change()
    """,
    "DROP TRIGGER activities_count_insert ON activities_activity",
    "DROP TRIGGER activities_count_delete ON activities_activity",
    """
    CREATE TRIGGER activities_count_insert_delete AFTER INSERT OR DELETE
    ON activities_activity FOR EACH ROW EXECUTE FUNCTION activities_count_change()
    """,
    "DROP FUNCTION activities_as_of_count_insert_rows()",
    "DROP FUNCTION activities_count_insert_rows()",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return  # SQLite keeps its per-row triggers
        # No insert between dropping a trigger and creating its successor goes uncounted.
        schema_editor.execute("LOCK TABLE activities_activity IN SHARE ROW EXCLUSIVE MODE")
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0012_own_work_indexes"),
    ]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
