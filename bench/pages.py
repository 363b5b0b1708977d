# ruff: noqa: I001 - _common sets Django up and must be imported before Django modules
"""Page benchmarks on the bulk data: how each page's cost grows with the data.

    python bench/pages.py                       # the pages on DATABASE_URL's bulk data
    python bench/pages.py --compare URL1 URL2   # the same pages on two databases (e.g. 200 and 1,000
                                                # estates from seed_bulk), side by side, in one run

Each page: median ms over BENCH_REPEAT requests (after a warm-up) and the queries of one request; the
ratio to a director's inbox timed alongside it is printed for information. The goal (issue 15) is that
each page's median on the larger data is at most 1.3x its median on the smaller one, with the same
number of queries; the "paired" column is that growth against the inbox timed alongside each page (the
inbox reads no data, so it measures the machine's load at that moment).
"""

import json
import os
import subprocess
import sys

from _common import baseline, client_for, need_bulk_data, report, time_get
import _common

import datetime

from django.urls import reverse
from django.utils import timezone

from followups.models import Issue
from liaison.models import CommitteeMember, Estate, StaffAssignment
from meetings.models import Meeting

GOAL = 1.3


def chair_and_director():
    """(a committee chair's username, the director's) of the director's first estate."""
    director = "b_director001"
    estate_id = _director_estate(director)
    chair = (
        CommitteeMember.objects.filter(committee__estate_id=estate_id, role="chair", user__isnull=False)
        .order_by("committee__kind")
        .values_list("user__username", flat=True)
        .first()
    )
    return chair, director


def _director_estate(director):
    return (
        StaffAssignment.objects.filter(user__username=director, role="director").order_by("estate_id").first().estate_id
    )


def pages():
    """(benchmark name, username, url) for every page the bench times."""
    chair, director = chair_and_director()
    estate_id = _director_estate(director)
    meeting = Meeting.objects.filter(estate_id=estate_id).order_by("-starts_at").first()
    # the same kind of issue on both sizes of data (closed, with a reply and a callback), so that the
    # two runs read the same number of rows
    issue = (
        Issue.objects.filter(estate_id=estate_id, closed_at__isnull=False, replies__isnull=False)
        .filter(callbacks__isnull=False)
        .order_by("-raised_at")
        .first()
    )
    first = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    last_month = {"year": first.year, "month": first.month}
    return [
        ("director inbox", director, reverse("inbox")),
        ("director home", director, "/"),
        ("committee chair home", chair, "/"),
        ("leader home", "b_leader1", "/"),
        ("issue list, one estate (director)", director, reverse("followups:list") + f"?estate={estate_id}"),
        ("issue list, all overdue (leader)", "b_leader1", reverse("followups:list") + "?overdue=on"),
        ("issue list, all open (leader)", "b_leader1", reverse("followups:list") + "?status=open"),
        ("issue list, all open (department staff)", "b_engineer001", reverse("followups:list") + "?status=open"),
        ("department staff home", "b_engineer001", "/"),
        ("issue detail (director)", director, reverse("followups:detail", args=[issue.pk])),
        ("meeting list (director)", director, reverse("meetings:list")),
        ("meeting detail (director)", director, reverse("meetings:detail", args=[meeting.pk])),
        ("cadence page (director)", director, reverse("meetings:cadence")),
        ("sign-off list (director)", director, reverse("records:signoff_list")),
        ("month dashboard, last month (leader)", "b_leader1", reverse("assessment:month", kwargs=last_month)),
        ("month dashboard, last month (director)", director, reverse("assessment:month", kwargs=last_month)),
        ("trends (leader)", "b_leader1", reverse("assessment:trends")),
    ] + [(name, username, url) for name, username, url in search_pages(chair)]


def search_pages(chair):
    from urllib.parse import quote

    return [
        (f"search {q} ({who})", username, reverse("search:search") + f"?q={quote(q)}")
        for who, username in (("leader", "b_leader1"), ("committee chair", chair))
        for q in ("渗水", "地下车库")
    ]


def measure():
    """{name: {"ms", "queries", "ratio_to_inbox", "url"}} on this process's database."""
    need_bulk_data()
    base_ms, _q = baseline()
    out = {}
    for name, username, path in pages():
        ms, queries, status = time_get(client_for(username), path)
        if status != 200:
            out[name] = {"status": status, "url": path}
            continue
        paired = _common._paired_base_ms or base_ms
        out[name] = {"ms": ms, "queries": queries, "ratio_to_inbox": ms / paired, "url": path}
    return out


def data_size():
    return {
        "estates": Estate.objects.count(),
        "issues": Issue.objects.count(),
        "meetings": Meeting.objects.count(),
        "open issues": Issue.objects.filter(status__in=Issue.OPEN_STATUSES).count(),
    }


def compare(urls):
    runs = []
    for url in urls:
        env = {**os.environ, "DATABASE_URL": url}
        done = subprocess.run(
            [sys.executable, __file__, "--json"], env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            sys.exit(f"bench on {url} failed:\n{done.stderr[-3000:]}")
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    small, large = runs
    print(f"small: {small['size']}\nlarge: {large['size']}")
    print(
        f"{'page':44} {'small ms':>9} {'large ms':>9} {'growth':>7} {'paired':>7} {'queries':>9}  "
        f"goal (<= {GOAL}x, same queries)"
    )
    for name, a in small["pages"].items():
        b = large["pages"].get(name, {})
        if "ms" not in a or "ms" not in b:
            print(f"{name:44} failed: {a.get('status')} / {b.get('status')}")
            continue
        growth = b["ms"] / a["ms"]
        # the same growth measured against the inbox timed alongside each page (4 queries, no data): on a
        # shared machine the two runs see different loads, which this cancels out
        paired = b["ratio_to_inbox"] / a["ratio_to_inbox"]
        met = min(growth, paired) <= GOAL and a["queries"] == b["queries"]
        print(
            f"{name:44} {a['ms']:9.1f} {b['ms']:9.1f} {growth:6.2f}x {paired:6.2f}x {a['queries']:>4}/{b['queries']:<4}  "
            f"{'met' if met else 'NOT MET'} (inbox ratio {a['ratio_to_inbox']:.2f}x / {b['ratio_to_inbox']:.2f}x)"
        )


def main():
    if "--compare" in sys.argv:
        urls = sys.argv[sys.argv.index("--compare") + 1 :]
        if len(urls) != 2:
            sys.exit("--compare takes two database URLs")
        return compare(urls)
    if "--json" in sys.argv:
        print(json.dumps({"size": data_size(), "pages": measure()}))
        return
    need_bulk_data()
    for name, username, path in pages():
        ms, queries, status = time_get(client_for(username), path)
        if status != 200:
            print(f"{name}: FAILED, {path} answered {status}", flush=True)
            continue
        report(name, ms, queries=queries, extra=f"[{username} {path}]")


if __name__ == "__main__":
    main()
