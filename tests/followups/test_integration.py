"""Against PostgreSQL and Redis: two scans at once, and a real Celery worker + beat processing a due
deadline. Skipped unless DATABASE_URL is PostgreSQL and REDIS_URL is set."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from followups import actions
from followups.models import DeadlineEvent, Issue
from followups.scan import scan
from liaison.models import Notification

from .conftest import at, needs_pg_and_redis

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_make_one_escalation_per_issue_and_level(raise_issue, director_a, dept_a, leader):
    needs_pg_and_redis()
    issues = [raise_issue(raised_at=at(2026, 3, 2, 10), description=f"问题{i}") for i in range(8)]
    for issue in issues:
        actions.assign(issue, assignee=dept_a, actor=director_a, now=at(2026, 3, 2, 11))
    now = at(2026, 3, 9, 12)  # past every level for reply and callback
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(scan(now))
        except Exception as e:  # noqa: BLE001
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sum(r["events"] for r in results) == 8 * 2 * 4  # 8 issues × 2 deadlines × 4 levels
    for issue in issues:
        for level in DeadlineEvent.Level:
            assert DeadlineEvent.objects.filter(issue=issue, deadline="reply", level=level).count() == 1
    # the leader got exactly one escalation message per issue, saying both deadlines
    assert Notification.objects.filter(recipient=leader, kind="issue.escalated").count() == 8
    assert scan(now)["events"] == 0


def _wait_for(predicate, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.5)
    return False


@pytest.mark.django_db(transaction=True)
def test_worker_and_beat_process_a_due_deadline(raise_issue, director_a, dept_a, tmp_path):
    needs_pg_and_redis()
    now = timezone.now()
    issue = raise_issue(raised_at=now - timezone.timedelta(days=3, hours=1), now=now)
    issue = actions.assign(issue, assignee=dept_a, actor=director_a, now=now)
    assert issue.next_check_at <= now
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "LIAISON_ISSUE_SCAN_SECONDS": "1",
        "LIAISON_VAR_DIR": str(tmp_path),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    celery = str(Path(sys.executable).parent / "celery")
    log_w, log_b = open(tmp_path / "worker.log", "w"), open(tmp_path / "beat.log", "w")
    worker = subprocess.Popen(
        [
            celery,
            "-A",
            "liaison",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=INFO",
            "--purge",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log_w,
        stderr=subprocess.STDOUT,
    )
    beat = subprocess.Popen(
        [celery, "-A", "liaison", "beat", "--loglevel=INFO", "-s", str(tmp_path / "beat-schedule")],
        cwd=ROOT,
        env=env,
        stdout=log_b,
        stderr=subprocess.STDOUT,
    )
    try:
        done = _wait_for(
            lambda: DeadlineEvent.objects.filter(
                issue=issue, deadline="reply", level=DeadlineEvent.Level.OVERDUE
            ).exists(),
            timeout=60,
        )
        worker_log, beat_log = (tmp_path / "worker.log").read_text(), (tmp_path / "beat.log").read_text()
        tails = worker_log[-3000:] + beat_log[-2000:]
        assert done, tails
        # the whole logs: the worker's tail can be all e-mail bodies (console backend) of the deliveries
        assert "followups.tasks.scan_issues" in worker_log + beat_log, tails
        # beat keeps running the scan: still exactly one overdue mark per deadline
        time.sleep(3)
        assert DeadlineEvent.objects.filter(issue=issue, level=DeadlineEvent.Level.OVERDUE).count() == 2
        assert Issue.objects.get(pk=issue.pk).reply_overdue
        assert Notification.objects.filter(recipient=dept_a, kind="issue.overdue").count() == 1
    finally:
        for p in (beat, worker):
            p.terminate()
        for p in (beat, worker):
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        log_w.close()
        log_b.close()
