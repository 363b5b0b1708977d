"""Monthly assessment dashboard speed: the month view vs the plainest logged-in page, in the same run.

The baseline is the one of every bench script (`_common.baseline`): a director's inbox (/inbox/ as
b_director001), measured in the same process. Prints, for last month (not closed):

- the month view read from its provisional snapshot (refreshed first, as the beat job does every 10
  minutes) for the leader (b_leader1: every estate, first page of each table), the leader on a later
  page of both tables, and a director (b_director001: 5 estates), each with its ratio to the inbox;
- one line of extra figures: the same month computed live on every request (what the view does when no
  recent snapshot exists), the month closed (inside a transaction rolled back), the refresh job's time
  for the month, and /estates/ for the leader (the former baseline of this script).

Goal (issue 6): at most 3x the inbox with 200 estates x 24 months.
Usage: DATABASE_URL=postgres://... .venv/bin/python bench/dashboard.py
"""

import os
import sys
import time

os.environ.setdefault("LIAISON_VAR_DIR", "/tmp/var-assessment-bench")

from _common import baseline, client_for, need_bulk_data, report, time_get  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

settings.ALLOWED_HOSTS = ["*"]
LEADER, DIRECTOR = "b_leader1", "b_director001"


class Rollback(Exception):
    pass


def timed(client, url):
    ms, queries, status = time_get(client, url)
    if status != 200:
        sys.exit(f"{url} answered {status}")
    return ms, queries


def live_on_every_request(client, url):
    """The view with no snapshot: figures computed from the records for the user's estates each time."""
    from assessment import provisional

    real_head, real_fresh = provisional.head, provisional.fresh
    provisional.head = lambda month: None
    provisional.fresh = lambda snap, month, now: None
    try:
        return timed(client, url)
    finally:
        provisional.head, provisional.fresh = real_head, real_fresh


def closed(client, url, month):
    from assessment.actions import close_month
    from liaison.models import User

    try:
        with transaction.atomic():
            close_month(month, actor=User.objects.get(username=LEADER), now=timezone.now())
            t0 = time.perf_counter()
            client.get(url)  # the first view in this process reads the frozen rows (later ones keep them)
            first_ms = (time.perf_counter() - t0) * 1000
            result = (*timed(client, url), first_ms)
            raise Rollback
    except Rollback:
        pass
    return result


def main():
    from assessment import provisional
    from assessment.models import AssessmentMonth
    from assessment.months import Month
    from liaison.models import Estate

    need_bulk_data()
    baseline()
    month = Month.default(timezone.now())
    url = reverse("assessment:month", args=[month.year, month.month])
    leader, director = client_for(LEADER), client_for(DIRECTOR)
    estates = Estate.objects.count()
    if AssessmentMonth.objects.filter(year=month.year, month=month.month).exists():
        ms, q = timed(leader, url)
        report(f"assessment month view {month} closed ({estates} estates, leader)", ms, queries=q, extra=f"[{url}]")
        return
    t0 = time.perf_counter()
    provisional.store(month, timezone.now(), job="bench")
    refresh_ms = (time.perf_counter() - t0) * 1000
    for label, client, page_url in [
        ("leader", leader, url),
        ("leader, estate page 5 and staff page 3", leader, url + "?page=5&staff_page=3"),
        ("director", director, url),
    ]:
        ms, q = timed(client, page_url)
        report(f"assessment month view {month}, stored figures ({label})", ms, queries=q, extra=f"[{page_url}]")
    base_ms = baseline()[0]
    live_ms, live_q = live_on_every_request(leader, url)
    closed_ms, closed_q, closed_first_ms = closed(leader, url, month)
    est_ms, est_q = timed(leader, reverse("estate_list"))
    print(
        f"assessment month view {month} ({estates} estates, {connection.vendor}), leader, other figures: "
        f"live on every request {live_ms:.1f} ms, {live_q} queries, {live_ms / base_ms:.1f}x; "
        f"closed {closed_ms:.1f} ms, {closed_q} queries, {closed_ms / base_ms:.1f}x "
        f"(its first view in the process {closed_first_ms:.1f} ms, {closed_first_ms / base_ms:.1f}x); "
        f"refresh job for the month {refresh_ms:.0f} ms; /estates/ {est_ms:.1f} ms, {est_q} queries "
        f"(month view stored / estates: {timed(leader, url)[0] / est_ms:.1f}x); goal <= 3x the inbox",
        flush=True,
    )


if __name__ == "__main__":
    main()
