"""The search indexes of meetings, agenda items, minutes and resolutions: GIN on liaison_grams(the fields of liaison.textsearch.SEARCHED),
PostgreSQL only. The fields must stay those the finders search, in that order
(tests/search/test_search_index.py checks)."""

from django.db import migrations

INDEXES = {
    "meetings_meeting": ["title", "place"],
    "meetings_agendaitem": ["title", "cause", "process", "necessity", "owners_attitude", "support_requested", "discussion"],
    "meetings_minutes": ["summary", "host_name", "recorder_name"],
    "meetings_resolution": ["text", "action", "owner_name"],
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, fields in INDEXES.items():
        columns = ", ".join(schema_editor.quote_name(f) for f in fields)
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_grams ON {table} USING gin (liaison_grams({columns}))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_grams")


class Migration(migrations.Migration):
    dependencies = [("liaison", "0008_text_grams"), ("meetings", "0010_merge_0008_meeting_series_0009_carry_forward")]
    operations = [migrations.RunPython(create, drop)]
