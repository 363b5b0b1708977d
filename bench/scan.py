# ruff: noqa: I001 - _common sets Django up and must be imported before Django modules
"""The deadline scan over 100,000 open issues (followups.scan.scan):

- nothing due: every issue open, every next check in the future -> seconds per scan and its queries
  (goal: a bounded number of indexed queries, not a walk over the issues);
- some due: 200 issues whose deadline events were never recorded (a beat that was down): the scan
  catches up on every reminder, overdue mark and escalation -> seconds, queries, events.

Runs inside one transaction that is rolled back: the bulk data is left as it was.
"""

import datetime
import statistics
import time

from _common import REPEAT, baseline, need_bulk_data, report

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from followups import scan
from followups.models import DeadlineEvent, Issue

DUE = 200


def main():
    need_bulk_data()
    baseline()
    now = timezone.now()
    with transaction.atomic():
        due_ids = list(
            Issue.objects.filter(closed_at__isnull=True, next_check_at__isnull=False)
            .order_by("pk")
            .values_list("pk", flat=True)[:DUE]
        )
        # every issue open, next checks spread over the next 30 days
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE followups_issue SET closed_at = NULL, status = 'in_progress', "
                    "next_check_at = %s + (id %% 720) * interval '1 hour'",
                    [now + datetime.timedelta(hours=1)],
                )
                cursor.execute("ANALYZE followups_issue")
        else:
            Issue.objects.update(closed_at=None, status="in_progress", next_check_at=now + datetime.timedelta(days=1))
        open_count = Issue.objects.filter(closed_at__isnull=True).count()

        times = []
        for _ in range(REPEAT):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                stats = scan.scan(now)
                times.append((time.perf_counter() - t0) * 1000)
            idle_queries = len(ctx.captured_queries)
            assert stats["issues"] == 0, stats
        report(f"scan, nothing due, {open_count:,} open issues", statistics.median(times), queries=idle_queries)

        # a beat that was down: these issues' events were never recorded
        DeadlineEvent.objects.filter(issue_id__in=due_ids).delete()
        Issue.objects.filter(pk__in=due_ids).update(next_check_at=now - datetime.timedelta(days=60), escalation_level=0)
        # counted by a wrapper: Django's query log keeps only the last 9,000 (this scan issues more)
        executed = []
        with connection.execute_wrapper(lambda execute, *args: executed.append(1) or execute(*args)):
            t0 = time.perf_counter()
            stats = scan.scan(now)
            ms = (time.perf_counter() - t0) * 1000
        queries = len(executed)
        n = max(stats["issues"], 1)
        report(
            f"scan, {stats['issues']} issues due (catch-up)",
            ms,
            queries=queries,
            extra=f"[{stats['events']} events, {stats['notified']} notifications; "
            f"{ms / n:.1f} ms and {queries / n:.0f} queries per issue]",
            stat="once",
        )
        transaction.set_rollback(True)
    if connection.vendor == "postgresql":
        # leave the database as it was: the rolled-back UPDATE of every issue left ~100,000 dead row
        # versions, a cleared visibility map and entries in the open-issue partial indexes, which made
        # the page benchmarks of a later run read the heap (the overdue count 0.9 -> 3.9 ms)
        with connection.cursor() as cursor:
            for command in ("VACUUM followups_issue", "REINDEX TABLE followups_issue", "ANALYZE followups_issue"):
                cursor.execute(command)


if __name__ == "__main__":
    main()
