"""A real Celery worker and beat against Redis run the cadence scan: one at-risk notice, however
many times beat fires. Skips unless DATABASE_URL is PostgreSQL and REDIS_URL is set."""

import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from liaison.models import Notification

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.integration
def test_worker_and_beat_send_the_at_risk_notice_once(transactional_db, estate_a, rc_a, supervisor_a, tmp_path):
    if connection.vendor != "postgresql" or not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL")
    from meetings.cadence_defaults import install_default_rules

    today = timezone.localdate()
    rules = {r.code: r for r in install_default_rules(estate_a, effective_from=today)}
    rc_rule = rules["rc_contact"]
    rc_rule.at_risk_days = 62  # the current month is always "ending soon" for this test
    rc_rule.save()

    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "LIAISON_CADENCE_SCAN_SECONDS": "2",
        "LIAISON_VAR_DIR": str(tmp_path / "var"),
        "PYTHONUNBUFFERED": "1",
    }
    logs = [open(tmp_path / "worker.log", "w"), open(tmp_path / "beat.log", "w")]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "liaison",
                "worker",
                "--pool=solo",
                "-l",
                "info",
                "-n",
                f"meetings-test-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=logs[0],
            stderr=subprocess.STDOUT,
        ),
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "liaison",
                "beat",
                "-l",
                "info",
                "-s",
                str(tmp_path / "beat-schedule"),
            ],
            cwd=ROOT,
            env=env,
            stdout=logs[1],
            stderr=subprocess.STDOUT,
        ),
    ]
    notices = Notification.objects.filter(
        kind="cadence.at_risk", recipient=supervisor_a, key__startswith=f"cadence:{rc_rule.pk}:"
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not notices.exists():
            time.sleep(0.5)
        assert notices.exists(), (tmp_path / "worker.log").read_text()[-3000:]
        time.sleep(6)  # beat fires the scan again (every 2 s): still one notice
        assert notices.count() == 1
        assert "meetings.tasks.cadence_scan" in (tmp_path / "worker.log").read_text()
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        for f in logs:
            f.close()
    assert today <= datetime.date.today() + datetime.timedelta(days=1)
