# ruff: noqa: I001 - _common sets Django up and must be imported before Django modules
"""Page benchmarks on the bulk data: median ms and queries per page, each as a ratio to the baseline
(a director's inbox) measured in the same run. Goal: every page <= 3x the baseline.

Pages whose URL does not exist yet (an app still being built) print "skipped".
Run: DATABASE_URL=... python bench/pages.py  (needs `manage.py seed_bulk` data)
"""

from _common import baseline, client_for, need_bulk_data, report, time_get

import datetime

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from liaison.models import CommitteeMember, StaffAssignment


def url(*names, query="", kwargs=None):
    for name in names:
        try:
            return reverse(name, kwargs=kwargs) + query
        except NoReverseMatch:
            continue
    return None


def month_figures(year, month):
    """What the month view reads: "closed", "stored figures" (a provisional snapshot fresh enough to be
    read, as the beat job keeps it) or "live" (none: the warm-up request computes and stores it)."""
    try:
        from assessment import provisional
        from assessment.models import AssessmentMonth, ProvisionalSnapshot
    except ImportError:
        return "?"
    if AssessmentMonth.objects.filter(year=year, month=month).exists():
        return "closed"
    snap = ProvisionalSnapshot.objects.filter(year=year, month=month).first()
    if snap and timezone.now() - snap.computed_at <= provisional.max_age():
        return "stored figures"
    return "no fresh snapshot: first request computes it"


def main():
    need_bulk_data()
    director = "b_director001"
    estate_id = (
        StaffAssignment.objects.filter(user__username=director, role="director").order_by("estate_id").first().estate_id
    )
    chair = (
        CommitteeMember.objects.filter(committee__estate_id=estate_id, role="chair", user__isnull=False)
        .order_by("committee__kind")
        .values_list("user__username", flat=True)
        .first()
    )
    first = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    last_month = {"year": first.year, "month": first.month}
    figures = month_figures(first.year, first.month)
    pages = [
        # (benchmark name, user, url)
        ("director home", director, "/"),
        ("issue list, one estate, first page", director, url("followups:list", query=f"?estate={estate_id}")),
        ("issue list, all overdue (leader)", "b_leader1", url("followups:list", query="?overdue=on")),
        ("issue list, all open (leader)", "b_leader1", url("followups:list", query="?status=open")),
        ("committee member home", chair, "/"),
        ("leader home", "b_leader1", "/"),
        ("meeting list (director)", director, url("meetings:list", "meetings:index")),
        (f"month dashboard, last month, {figures} (leader)", "b_leader1", url("assessment:month", kwargs=last_month)),
        (f"month dashboard, last month, {figures} (director)", director, url("assessment:month", kwargs=last_month)),
    ]
    baseline()
    for name, username, path in pages:
        if path is None:
            print(f"{name}: skipped (the page does not exist yet)", flush=True)
            continue
        try:
            client = client_for(username)
        except Exception:  # noqa: BLE001 - e.g. no OC in this estate
            print(f"{name}: skipped (no user {username})", flush=True)
            continue
        ms, queries, status = time_get(client, path)
        if status != 200:
            print(f"{name}: FAILED, {path} answered {status}", flush=True)
            continue
        report(name, ms, queries=queries, extra=f"[{username} {path}]")


if __name__ == "__main__":
    main()
