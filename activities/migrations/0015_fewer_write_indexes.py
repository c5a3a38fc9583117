"""No index of their own on an activity's lead office and indicator (the indexes that
begin with them serve those lookups), none on the history's copies of its foreign keys.

The indexes are dropped by name, and the fields changed in Django's state only: Django would
change the fields by rebuilding each table on SQLite, which would lose the roll-up's
triggers on activities, and on PostgreSQL would drop and check again the foreign keys of a
million activities."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = [
    ("activities_activity", "activities_activity_indicator_id_0c448b01", "indicator_id"),
    ("activities_activity", "activities_activity_lead_office_id_d7487385", "lead_office_id"),
    (
        "activities_historicalactivity",
        "activities_historicalactivity_created_by_id_0a7ef123",
        "created_by_id",
    ),
    (
        "activities_historicalactivity",
        "activities_historicalactivity_indicator_id_ed3011c9",
        "indicator_id",
    ),
    (
        "activities_historicalactivity",
        "activities_historicalactivity_lead_office_id_8a3fcb68",
        "lead_office_id",
    ),
    (
        "activities_historicalactivity",
        "activities_historicalactivity_region_id_ed1f8f04",
        "region_id",
    ),
    (
        "activities_historicalactivity",
        "activities_historicalactivity_removed_by_id_f0fecec9",
        "removed_by_id",
    ),
    (
        "activities_historicalactivity",
        "activities_historicalactivity_reviewed_by_id_cdb8de95",
        "reviewed_by_id",
    ),
    (
        "activities_historicalactivity",
        "activities_historicalactivity_updated_by_id_9f02a9a1",
        "updated_by_id",
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0014_import_checked_rows"),
        ("offices", "0004_counterpart_parent"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="activity",
                    name="indicator",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="activities",
                        to="offices.indicator",
                        verbose_name="indicator",
                    ),
                ),
                migrations.AlterField(
                    model_name="activity",
                    name="lead_office",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="led_activities",
                        to="offices.office",
                        verbose_name="lead office or unit",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalactivity",
                    name="created_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalactivity",
                    name="indicator",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="offices.indicator",
                        verbose_name="indicator",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalactivity",
                    name="lead_office",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="offices.office",
                        verbose_name="lead office or unit",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalactivity",
                    name="region",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="offices.region",
                        verbose_name="region",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalactivity",
                    name="removed_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="removed by",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalactivity",
                    name="reviewed_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="verified or returned by",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalactivity",
                    name="updated_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="last changed by",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    [f'DROP INDEX IF EXISTS "{name}"' for _table, name, _column in INDEXES],
                    [
                        f'CREATE INDEX "{name}" ON "{table}" ("{column}")'
                        for table, name, column in INDEXES
                    ],
                ),
            ],
        ),
    ]
