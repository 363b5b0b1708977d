"""A Celery worker killed (SIGKILL) in the middle of a delivery or a deadline scan: after a restart the
work is done and nothing is sent twice. A real worker subprocess against Redis (db of REDIS_URL) and the
PostgreSQL test database; skipped without them.

The delivery promise (liaison/delivery.py, "No lost reminder"): an e-mail whose worker died between the
claim and the mark is sent again once, with the same Message-ID, when its claim expires; every other
message is delivered by the next run. None is lost; the one repeat carries the first one's Message-ID.
"""

import asyncio
import datetime
import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .conftest import needs_pg_and_redis

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def _port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


class SlowSink:
    """SMTP sink: keeps every message as soon as it arrives; the first one is answered only after 5 s,
    which is when the test kills the worker (so that message went out but was never marked sent)."""

    def __init__(self):
        self.messages = []
        self.message_ids = []
        self.first_arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.rcpt_tos[0])
        self.message_ids.append(email.message_from_bytes(envelope.content)["Message-ID"])
        if len(self.messages) == 1:
            self.first_arrived.set()
            await asyncio.sleep(5)
        return "250 OK"


class Worker:
    def __init__(self, tmp_path, smtp_port):
        self.log_path = tmp_path / "worker.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + settings.DATABASES["default"]["NAME"],
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "LIAISON_VAR_DIR": str(tmp_path / "var"),
            "CELERY_TASK_ALWAYS_EAGER": "0",
        }
        self.proc = None

    def start(self):
        self.log = open(self.log_path, "a")
        self.mark = self.log_path.stat().st_size if self.log_path.exists() else 0
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "liaison", "worker", "-l", "info", "--concurrency", "1",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"kill-test-{os.getpid()}@%h"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        if not _wait(lambda: "ready." in self.text()[self.mark :] or self.proc.poll() is not None, 60):
            pytest.fail("worker did not start:\n" + self.text()[-3000:])

    def text(self):
        return self.log_path.read_text() if self.log_path.exists() else ""

    def kill(self):
        os.killpg(self.proc.pid, signal.SIGKILL)  # the whole group: main process and its pool child
        self.proc.wait(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


@pytest.fixture
def slow_smtp():
    needs_pg_and_redis()
    from aiosmtpd.controller import Controller

    sink = SlowSink()
    controller = Controller(sink, hostname="127.0.0.1", port=_port())
    controller.start()
    yield controller.port, sink
    controller.stop()


@pytest.fixture
def worker(slow_smtp, tmp_path):
    from liaison.celery import app

    app.control.purge()
    w = Worker(tmp_path, slow_smtp[0])
    yield w
    w.stop()
    app.control.purge()


@pytest.mark.django_db(transaction=True)
def test_worker_killed_during_a_delivery(worker, slow_smtp, estate_a, admin_user, settings):
    from liaison.delivery import CLAIM_TIMEOUT, deliver_pending
    from liaison.models import Delivery
    from liaison.notify import notify
    from liaison.tasks import deliver_pending as deliver_task

    from ..factories import UserFactory

    _port, sink = slow_smtp
    users = [UserFactory(username=f"kill{i}", email=f"kill{i}@example.com") for i in range(5)]
    worker.start()
    with transaction.atomic():
        notify(users, kind="issue.overdue", key="reliability:kill", subject="问题已逾期", estate=estate_a)
    # the after-commit task is running; the first e-mail is in the SMTP server's hands: kill -9
    assert sink.first_arrived.wait(30), worker.text()[-3000:]
    worker.kill()
    assert len(sink.messages) == 1
    assert Delivery.objects.filter(status="sending").count() == 1

    worker.start()  # restart; the periodic deliver-notifications tick arrives
    deliver_task.delay()

    def settled():
        return Delivery.objects.filter(status="pending").count() == 0

    assert _wait(settled, 60), worker.text()[-3000:]
    time.sleep(1.5)  # room for a late duplicate
    assert sorted(sink.messages) == sorted(u.email for u in users), "each recipient exactly once"
    # the interrupted one, once its claim expires: sent again once, with the first one's Message-ID
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _port
    result = deliver_pending(now=timezone.now() + CLAIM_TIMEOUT + datetime.timedelta(minutes=1))
    assert result["resent"] == 1 and result["sent"] == 1
    assert Delivery.objects.filter(status="sent").count() == len(users)
    assert len(sink.messages) == len(users) + 1 and sorted(set(sink.messages)) == sorted(u.email for u in users)
    assert len(set(sink.message_ids)) == len(users), "the repeat carries the first one's Message-ID"
    assert sink.message_ids[0] == sink.message_ids[-1] and sink.messages[0] == sink.messages[-1]


@pytest.mark.django_db(transaction=True)
def test_worker_killed_during_the_deadline_scan(worker, personas, estate_a, oc_a):
    from followups import actions
    from followups.models import DeadlineEvent, Issue
    from followups.tasks import scan_issues

    raised = timezone.now() - datetime.timedelta(days=6)
    for i in range(60):
        actions.raise_issue(
            estate=estate_a,
            committee=oc_a,
            raised_by="张喆",
            raised_at=raised,
            description=f"问题{i}",
            source="meeting",
            now=raised,
        )
    worker.start()
    scan_issues.delay()
    _wait(lambda: DeadlineEvent.objects.exists(), 30)
    worker.kill()  # somewhere in the scan (or just after it)
    done_before = Issue.objects.filter(reply_overdue=True).count()

    worker.start()
    scan_issues.delay()  # the next beat tick
    assert _wait(lambda: Issue.objects.filter(reply_overdue=True).count() == 60, 60), worker.text()[-3000:]
    time.sleep(1)
    events = list(DeadlineEvent.objects.values_list("issue_id", "deadline", "level"))
    assert len(events) == len(set(events))
    per_issue = {pk: sum(1 for e in events if e[0] == pk) for pk in Issue.objects.values_list("pk", flat=True)}
    assert len(set(per_issue.values())) == 1, "every issue got the same events, once"
    print(f"issues marked overdue before the kill: {done_before}/60")
