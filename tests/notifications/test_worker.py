"""A real Celery worker (Redis broker, PostgreSQL) delivering to a local SMTP sink and robot endpoint.

Skipped unless DATABASE_URL is PostgreSQL and REDIS_URL is set (CI runs it).
"""

import os
import socket
import subprocess
import sys
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from liaison.models import Delivery, DeliveryAttempt, Notification
from liaison.notify import notify, notify_group

pytestmark = pytest.mark.integration

BASE_DIR = Path(__file__).resolve().parents[2]


def _require_services():
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://…")
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs Redis: set REDIS_URL=redis://…")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_sink():
    from aiosmtpd.controller import Controller

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, sink
    controller.stop()


def _wait(predicate, timeout=30.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


@pytest.fixture
def worker(smtp_sink, tmp_path):
    _require_services()
    controller, _sink = smtp_sink
    from liaison.celery import app

    app.control.purge()  # leftovers from earlier tests on this Redis db would run against our data
    env = {
        **os.environ,
        "DATABASE_URL": os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + settings.DATABASES["default"]["NAME"],
        "REDIS_URL": os.environ["REDIS_URL"],
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(controller.port),
        "LIAISON_WEBHOOK_ALLOW_PRIVATE": "1",
        "LIAISON_DELIVERY_BACKOFF_SECONDS": "0.3",
        "LIAISON_DELIVERY_MAX_ATTEMPTS": "3",
        "LIAISON_VAR_DIR": str(tmp_path / "var"),
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    log = open(tmp_path / "worker.log", "w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "liaison", "worker", "-l", "info", "--concurrency", "4"]
        + ["--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"notify-test-{os.getpid()}@%h"],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        ready = _wait(lambda: "ready." in (tmp_path / "worker.log").read_text() or proc.poll() is not None, 60)
        if not ready or proc.poll() is not None:
            pytest.fail("worker did not start:\n" + (tmp_path / "worker.log").read_text()[-3000:])
        yield proc, tmp_path / "worker.log"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.mark.django_db(transaction=True)
def test_worker_delivers_each_message_once_and_gives_up_visibly(
    worker, smtp_sink, robot_endpoint, make_robot, estate_a, director_a, supervisor_a, admin_user
):
    _controller, sink = smtp_sink
    proc, log_path = worker
    director_a.language = "en"
    director_a.save()
    make_robot(robot_endpoint.url("/ok", "key=k1"), name="运营群", format="markdown")
    make_robot(robot_endpoint.url("/fail"), name="坏群", provider="dingtalk", secret="SECx", format="text")

    with transaction.atomic():  # the event's transaction: delivery starts only after commit
        notify(
            [director_a, supervisor_a],
            kind="issue.overdue",
            key="issue:1:overdue",
            subject="问题 #1 已逾期",
            body="请处理。",
            url="/issues/1/",
            estate=estate_a,
        )
        notify_group(estate_a, kind="issue.overdue", key="issue:1:overdue", subject="问题 #1 已逾期", url="/issues/1/")
    # duplicated tasks: the same job queued again and again while the first runs
    from liaison.tasks import deliver_pending

    for _ in range(6):
        deliver_pending.delay()

    def settled():
        rows = list(Delivery.objects.values_list("status", flat=True))
        return len(rows) == 4 and all(s in ("sent", "failed") for s in rows)

    assert _wait(settled, 45), log_path.read_text()[-3000:]
    time.sleep(1.5)  # room for any late duplicate to show up

    # email: once per recipient, through the real SMTP backend, in each user's language
    by_to = {}
    for msg in sink.messages:
        by_to.setdefault(msg["To"], []).append(msg)
    assert {k: len(v) for k, v in by_to.items()} == {director_a.email: 1, supervisor_a.email: 1}
    en_text = by_to[director_a.email][0].get_body(preferencelist=("plain",)).get_content()
    zh_text = by_to[supervisor_a.email][0].get_body(preferencelist=("plain",)).get_content()
    assert en_text.startswith("Dear 王主任,") and "/issues/1/" in en_text
    assert zh_text.startswith("李主管，您好：")

    # robot: the good endpoint got exactly one markdown POST
    (hit,) = robot_endpoint.hits("/ok")
    assert hit["query"] == {"key": "k1"} and hit["json"]["msgtype"] == "markdown"
    assert "问题 #1 已逾期" in hit["json"]["markdown"]["content"]

    # the failing endpoint: 3 attempts with backoff, then FAILED, visible to the administrator
    fails = robot_endpoint.hits("/fail")
    assert len(fails) == 3
    assert all("sign" in f["query"] and "timestamp" in f["query"] for f in fails)
    failed = Delivery.objects.get(status="failed")
    assert failed.webhook.name == "坏群" and failed.attempts == 3 and "HTTP 500" in failed.last_error
    attempts = list(DeliveryAttempt.objects.filter(delivery=failed).order_by("started_at"))
    assert [a.ok for a in attempts] == [False, False, False]
    gaps = [(b.started_at - a.started_at).total_seconds() for a, b in zip(attempts, attempts[1:], strict=False)]
    assert gaps[0] >= 0.3 and gaps[1] >= 0.6  # backoff 0.3 s, then 0.6 s
    assert Notification.objects.filter(recipient=admin_user, kind="delivery.failed").count() == 1
    assert proc.poll() is None
