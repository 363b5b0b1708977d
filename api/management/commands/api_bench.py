"""Time the API's issue list at scale: `manage.py api_bench --issues 100000` on a scratch database.

Creates (once) `--estates` estates with an 业委会 each and `--issues` issues spread over them, a leader
(sees all) and a director of two estates, then times the first page and a page deep in the list
(following `next` cursors) for both, against an OFFSET page of the same depth for comparison.
Not part of the test suite; the numbers go in docs/api.md.
"""

import datetime
import statistics
import time

from django.core.management.base import BaseCommand
from django.test import Client
from django.utils import timezone

from api.models import ApiToken
from followups.models import Issue
from liaison.models import Committee, Company, Estate, Role, StaffAssignment, User


class Command(BaseCommand):
    help = "Benchmark cursor pagination of /api/issues/ with many issues."

    def add_arguments(self, parser):
        parser.add_argument("--issues", type=int, default=100_000)
        parser.add_argument("--estates", type=int, default=200)
        parser.add_argument("--depth", type=int, default=40, help="pages to follow for the deep page")
        parser.add_argument("--repeat", type=int, default=15)

    def handle(self, *args, **opts):
        leader, director = self._data(opts["issues"], opts["estates"])
        for who in (leader, director):
            _t, raw = ApiToken.create_for(who, "bench")
            c = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
            first = self._median(lambda c=c: c.get("/api/issues/", {"page_size": 50}), opts["repeat"])
            url, params, depth = "/api/issues/", {"page_size": 50}, 0
            while depth < opts["depth"]:
                nxt = c.get(url, params).json()["next"]
                if nxt is None:
                    break
                url, params, depth = nxt, None, depth + 1
            deep = self._median(lambda u=url, c=c: c.get(u), opts["repeat"])
            from followups.permissions import visible_issues

            qs = visible_issues(who).order_by("-raised_at", "-id")
            offset = depth * 50

            def offset_page(qs=qs, offset=offset):
                list(qs[offset : offset + 50].values_list("pk", flat=True))
                qs.count()

            off = self._median(offset_page, opts["repeat"])
            self.stdout.write(
                f"{who.username}: sees {qs.count()} issues; first page {first:.1f} ms; page {depth + 1} "
                f"by cursor {deep:.1f} ms; same page by OFFSET+COUNT (query only) {off:.1f} ms"
            )

    def _median(self, fn, n):
        times = []
        for _ in range(n):
            t = time.perf_counter()
            r = fn()
            assert getattr(r, "status_code", 200) == 200, r.content[:200]
            times.append((time.perf_counter() - t) * 1000)
        return statistics.median(times)

    def _data(self, n_issues, n_estates):
        company, _ = Company.objects.get_or_create(name="基准物业")
        leader, _ = User.objects.get_or_create(username="bench_leader", defaults={"role": Role.LEADER})
        director, _ = User.objects.get_or_create(username="bench_director", defaults={"role": Role.DIRECTOR})
        have = Issue.objects.filter(estate__company=company).count()
        if have >= n_issues:
            return leader, director
        estates = []
        for i in range(n_estates):
            e, _ = Estate.objects.get_or_create(company=company, name=f"基准小区{i:03d}", defaults={"address": "x"})
            Committee.objects.get_or_create(
                estate=e,
                kind="oc",
                defaults={"name": f"基准小区{i:03d}业委会", "term_start": datetime.date(2025, 1, 1)},
            )
            estates.append(e)
        for e in estates[:2]:
            StaffAssignment.objects.get_or_create(estate=e, user=director, defaults={"role": Role.DIRECTOR})
        committees = {c.estate_id: c for c in Committee.objects.filter(estate__in=estates)}
        start = timezone.now() - datetime.timedelta(days=730)
        batch = []
        for i in range(have, n_issues):
            e = estates[i % len(estates)]
            batch.append(
                Issue(
                    estate=e,
                    committee=committees[e.pk],
                    raised_by="业主",
                    raised_at=start + datetime.timedelta(minutes=10 * i),
                    description=f"问题 {i}",
                    status="closed" if i % 3 else "open",
                    closed_at=start + datetime.timedelta(minutes=10 * i + 5) if i % 3 else None,
                )
            )
            if len(batch) == 5000:
                Issue.objects.bulk_create(batch)
                batch = []
        Issue.objects.bulk_create(batch)
        return leader, director
