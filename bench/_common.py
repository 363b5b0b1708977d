"""Shared by the bench scripts: Django set-up, the bulk-data personas, timing and the one-line report.

Every figure is reported with a ratio to the baseline measured in the same process and run: the
plainest logged-in page, a director's inbox (/inbox/: the session, the user, the navigation and one
small indexed query), because absolute times vary a lot between runs on shared machines.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")  # no per-login log lines between the results

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))
BASELINE_URL = "/inbox/"


def need_bulk_data():
    from liaison.models import Company
    from seeding.management.commands.seed_bulk import COMPANY

    if not Company.objects.filter(name=COMPANY).exists():
        sys.exit("no bulk data in this database: run `manage.py seed_bulk --estates 200 --months 24 --seed 42` first")


def user(username):
    from liaison.models import User

    return User.objects.get(username=username)


def client_for(username):
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(user(username))
    return c


_base_client = None
_paired_base_ms = None  # the baseline's median timed alongside the last time_get(), for the next report()


def _timed(client, url):
    t0 = time.perf_counter()
    client.get(url)
    elapsed = (time.perf_counter() - t0) * 1000
    reset_queries()
    return elapsed


def time_get(client, url, repeat=REPEAT, paired=True):
    """(median ms, queries of one request, status) of GET url, after one warm-up request.

    With `paired` (the default) each repetition also times one request of the baseline page right
    before it, and the next report() divides by the baseline's median over those same repetitions:
    both see the same moments of a shared, noisy machine (the ratio of one page swung from 2.7x to
    4.7x between runs when the baseline was timed once, a minute before)."""
    global _base_client, _paired_base_ms
    response = client.get(url)
    if response.status_code != 200:
        return None, None, response.status_code
    reset_queries()  # each request resets the log; start from zero so the capture counts them all
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    queries = len(ctx.captured_queries)  # read now: the property slices the (later reset) log
    if paired and _base_client is None:
        _base_client = client_for("b_director001")
        _base_client.get(BASELINE_URL)  # warm-up
    times, base_times = [], []
    for _ in range(repeat):
        if paired:
            base_times.append(_timed(_base_client, BASELINE_URL))
        times.append(_timed(client, url))
    _paired_base_ms = statistics.median(base_times) if paired else None
    return statistics.median(times), queries, 200


_baseline = None


def baseline():
    """(median ms, queries) of the director's inbox, measured once per process."""
    global _baseline
    if _baseline is None:
        ms, queries, status = time_get(client_for("b_director001"), BASELINE_URL, paired=False)
        if status != 200:
            sys.exit(f"baseline {BASELINE_URL} answered {status}")
        _baseline = (ms, queries)
    return _baseline


def report(name, figure, unit="ms", queries=None, extra="", stat="median"):
    """One line: the figure and its ratio to the baseline timed alongside it (time_get), or else to the
    baseline timed once for this process."""
    global _paired_base_ms
    base_ms, base_q = baseline()
    if _paired_base_ms is not None:
        base_ms, _paired_base_ms = _paired_base_ms, None
    ratio = figure / base_ms if unit == "ms" else figure * 1000 / base_ms
    q = f", {queries} queries" if queries is not None else ""
    print(
        f"{name}: {figure:.1f} {unit} {stat}{q}; {ratio:.2f}x the baseline "
        f"(director inbox {base_ms:.1f} ms, {base_q} queries){' ' + extra if extra else ''}",
        flush=True,
    )


def db_label():
    return f"{connection.vendor} {settings.DATABASES['default'].get('NAME')}"
