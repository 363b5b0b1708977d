"""An index for the open issues of some estates, soonest next check first: the home page's issues panel
and its figures for office staff (WHERE estate_id IN (…) AND closed_at IS NULL ORDER BY next_check_at).
Without it PostgreSQL read every open issue of every estate (all 4,700 in the bench data) to keep those
of a director's five estates.

Raw SQL (PostgreSQL and SQLite both support partial indexes) so that the model's state, owned by the
followups app, is unchanged."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("followups", "0003_default_policies")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS issue_open_estate ON followups_issue (estate_id, next_check_at) "
            "WHERE closed_at IS NULL",
            reverse_sql="DROP INDEX IF EXISTS issue_open_estate",
        ),
    ]
