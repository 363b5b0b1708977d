"""Monthly assessment dashboard speed: the month view vs the plainest logged-in page, in the same run.

Prints one line: the month view's median response time and query count for a month not closed, read
from its provisional snapshot (what the view does; the snapshot is refreshed first, as the beat job
does every 10 minutes), then computed live on every request (how the view worked before the snapshot,
and what it does when no recent snapshot exists), then the same month closed (inside a transaction
that is rolled back), each with its ratio to /estates/ for a leader (the plainest logged-in page
showing every estate), timed in the same process. Also the time the refresh job takes for the month.
Goal (issue 6): at most 3x that page with 200 estates x 24 months.

Works against whatever DATABASE_URL is set. With the bulk data of `manage.py seed_bulk --estates 200
--months 24` it logs in as its leader (b_leader1); on any other database it uses the first leader.
Usage: DATABASE_URL=postgres://... .venv/bin/python bench/dashboard.py [repeats]
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")  # no login / refresh log lines in the result
os.environ.setdefault("LIAISON_VAR_DIR", "/tmp/var-assessment-bench")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

REPEAT = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("BENCH_REPEAT", "15"))
settings.ALLOWED_HOSTS = ["*"]


def leader():
    from liaison.models import Role, User

    user = User.objects.filter(username="b_leader1").first()
    user = user or User.objects.filter(role=Role.LEADER, is_active=True).order_by("pk").first()
    if user is None:
        sys.exit("no leader account in this database: run `manage.py seed_bulk --estates 200 --months 24` first")
    return user


def time_get(client, url):
    """(median ms, queries of one request) of GET url after a warm-up request."""
    response = client.get(url)
    if response.status_code != 200:
        sys.exit(f"{url} answered {response.status_code}")
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        client.get(url)
    times = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), count[0]


class Rollback(Exception):
    pass


def main():
    from assessment import compute as comp
    from assessment import provisional
    from assessment.actions import close_month
    from assessment.models import AssessmentMonth
    from assessment.months import Month
    from liaison.models import Estate

    user = leader()
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    now = timezone.now()
    month = Month.default(now)
    url = reverse("assessment:month", args=[month.year, month.month])
    estates = Estate.objects.count()

    base_ms, base_q = time_get(client, reverse("estate_list"))
    already_closed = AssessmentMonth.objects.filter(year=month.year, month=month.month).exists()
    parts = []
    if not already_closed:
        t0 = time.perf_counter()
        provisional.store(month, timezone.now(), job="bench")
        refresh_ms = (time.perf_counter() - t0) * 1000
        snap_ms, snap_q = time_get(client, url)
        parts.append(f"snapshot: {snap_ms:.1f} ms, {snap_q} queries, {snap_ms / base_ms:.1f}x")
        real = provisional.figures

        def live(m, at):  # the former behaviour: compute every estate on each request, store nothing
            data = comp.compute(m, at, Estate.objects.values_list("pk", flat=True), every=True)
            return data["estates"], data["staff"], data["cadence"], at

        provisional.figures = live
        try:
            live_ms, live_q = time_get(client, url)
        finally:
            provisional.figures = real
        parts.append(f"live: {live_ms:.1f} ms, {live_q} queries, {live_ms / base_ms:.1f}x")
        parts.append(f"refresh job for the month: {refresh_ms:.0f} ms")
        try:
            with transaction.atomic():
                close_month(month, actor=user, now=now)
                closed_ms, closed_q = time_get(client, url)
                raise Rollback
        except Rollback:
            pass
        parts.append(f"closed: {closed_ms:.1f} ms, {closed_q} queries, {closed_ms / base_ms:.1f}x")
    else:
        closed_ms, closed_q = time_get(client, url)
        parts.append(f"closed: {closed_ms:.1f} ms, {closed_q} queries, {closed_ms / base_ms:.1f}x")
    print(
        f"assessment month view {month} ({estates} estates, {connection.vendor}); /estates/ for a leader "
        f"{base_ms:.1f} ms, {base_q} queries; " + "; ".join(parts) + "; goal <= 3x",
        flush=True,
    )


if __name__ == "__main__":
    main()
