"""liaison_grams(text, …): the single characters and character pairs of each text, lower-cased, as
one array, for the search indexes (liaison/textsearch.py). PostgreSQL only: on SQLite the search
scans, so there is nothing to create."""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION liaison_grams(VARIADIC parts text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(t, i, n)), '{}'::text[])
  FROM (SELECT lower(p) AS t FROM unnest(parts) AS p WHERE p IS NOT NULL AND p <> '') AS texts,
       LATERAL generate_series(1, length(t)) AS i,
       LATERAL (VALUES (1), (2)) AS sizes(n)
  WHERE i + n - 1 <= length(t)
$$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS liaison_grams(VARIADIC text[])")


class Migration(migrations.Migration):
    dependencies = [("liaison", "0007_merge_terms_and_channels")]
    operations = [migrations.RunPython(create, drop)]
