"""The search indexes of work contact sheets: GIN on liaison_grams(the fields of liaison.textsearch.SEARCHED),
PostgreSQL only. The fields must stay those the finders search, in that order
(tests/search/test_search_index.py checks)."""

from django.db import migrations

INDEXES = {
    "records_workcontactsheet": ["subject", "content", "reply", "number"],
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
    dependencies = [("liaison", "0008_text_grams"), ("records", "0005_merge_plans_signatures_photos")]
    operations = [migrations.RunPython(create, drop)]
