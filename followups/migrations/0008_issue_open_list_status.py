"""issue_open_list (0007) also carries `status` and `closed_at`: the home page's open / overdue /
awaiting-reply counts (and the list's status filter) then read only the index. Without them PostgreSQL
fetched every open issue's row for a leader (~4,700 rows, 3.8 ms on the bench data; 0.7 ms with them).
PostgreSQL only; SQLite keeps the plain partial index of 0007."""

from django.db import migrations

COLUMNS = (
    "estate_id, status, closed_at, triage_due_at, triaged_at, reply_due_at, replied_at, resolve_due_at, "
    "resolved_at, callback_due_at"
)


def _create(schema_editor, columns):
    schema_editor.execute("DROP INDEX IF EXISTS issue_open_list")
    include = f" INCLUDE ({columns})" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX issue_open_list ON followups_issue (raised_at DESC, id DESC){include} WHERE closed_at IS NULL"
    )


def forward(apps, schema_editor):
    _create(schema_editor, COLUMNS)


def backward(apps, schema_editor):
    _create(
        schema_editor,
        "estate_id, triage_due_at, triaged_at, reply_due_at, replied_at, resolve_due_at, resolved_at, callback_due_at",
    )


class Migration(migrations.Migration):
    dependencies = [("followups", "0007_issue_open_list_index")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
