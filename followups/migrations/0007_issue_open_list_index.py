"""An index for the issue list's open and overdue views: open issues newest first, carrying the deadline
columns. The count behind "page 1 / N" and the page's ids are then index-only scans: a leader's "all
overdue" (about 4,200 of 4,700 open issues in the bench data) is counted from ~50 index pages instead
of reading every open issue's row, and the first page stops after 50 entries instead of sorting them all.

PostgreSQL only gets the INCLUDE columns (SQLite has no covering indexes); raw SQL, as in 0004, so that
the model's state is unchanged."""

from django.db import migrations

DEADLINES = "triage_due_at, triaged_at, reply_due_at, replied_at, resolve_due_at, resolved_at, callback_due_at"


def create(apps, schema_editor):
    include = f" INCLUDE (estate_id, {DEADLINES})" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS issue_open_list ON followups_issue (raised_at DESC, id DESC)"
        f"{include} WHERE closed_at IS NULL"
    )


def drop(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS issue_open_list")


class Migration(migrations.Migration):
    dependencies = [("followups", "0006_issue_first_callback_due_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
