"""Redis unavailable (the broker URL points to a closed port): pages load, forms save, what must be sent
is kept in the database (the outbox) and sent once the periodic job runs with the broker back; /healthz
reports the broker outage."""

import socket

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from liaison.celery import app


def _closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    return port


@pytest.fixture
def redis_down(settings):
    url = f"redis://127.0.0.1:{_closed_port()}/8"
    old = app.conf.broker_url, app.conf.broker_connection_timeout  # (read before the settings change)
    settings.CELERY_BROKER_URL = url
    app.conf.broker_url, app.conf.broker_connection_timeout = url, 1
    _reset_pools()
    try:
        yield url
    finally:
        app.conf.broker_url, app.conf.broker_connection_timeout = old
        _reset_pools()


def _reset_pools():
    """Drop the cached broker connections so the next send uses the current broker_url."""
    from kombu import pools

    # app.pool comes from kombu's global registry keyed by the connection: closing it without
    # resetting the registry would hand the same closed pool to every later test
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def test_healthz_reports_the_broker_outage(redis_down, db):
    r = Client().get(reverse("healthz"))
    assert r.status_code == 503
    report = r.json()
    assert report["broker"]["ok"] is False and report["database"]["ok"] is True


def test_pages_load_and_forms_save_then_the_outbox_is_delivered_once(
    redis_down, world, personas, django_capture_on_commit_callbacks
):
    from liaison import delivery
    from liaison.models import Delivery
    from meetings.models import Meeting

    client = Client(raise_request_exception=False)
    client.force_login(personas["director_a"])
    for url in (
        reverse("home"),
        reverse("meetings:list"),
        reverse("meetings:detail", args=[world.draft.pk]),
        reverse("followups:list"),
        reverse("inbox"),
    ):
        assert client.get(url).status_code == 200, url
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        r = client.post(reverse("meetings:send", args=[world.draft.pk]), {})
    assert r.status_code == 302, r.content.decode()[:1000]
    world.draft.refresh_from_db()
    assert world.draft.status == Meeting.Status.CONFIRMED, "the form saved although the broker is down"
    assert callbacks, "the save asked for a delivery after commit (and survived the broker being down)"
    pending = Delivery.objects.filter(status=Delivery.Status.PENDING)
    assert pending.exists(), "what must be sent is kept in the outbox"
    emails = pending.count()
    assert mail.outbox == []

    # Redis is back: the periodic deliver-notifications job (liaison/beat.py) runs and sends each once
    delivery.deliver_pending(now=timezone.now())
    assert len(mail.outbox) == emails
    assert not Delivery.objects.filter(status=Delivery.Status.PENDING).exists()
    delivery.deliver_pending(now=timezone.now())  # a second run (e.g. the after-commit task arrives late)
    assert len(mail.outbox) == emails


def test_a_new_issue_saves_with_the_broker_down(redis_down, world, personas, django_capture_on_commit_callbacks):
    from followups.models import Issue

    client = Client(raise_request_exception=False)
    client.force_login(personas["director_a"])
    before = Issue.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            reverse("meetings:minutes", args=[world.held.pk]),
            {
                "host_name": "王主任",
                "recorder_name": "李秘书",
                "issue-TOTAL_FORMS": "1",
                "issue-INITIAL_FORMS": "0",
                "issue-0-raised_by": "张喆",
                "issue-0-description": "消防通道被占用",
            },
        )
    assert r.status_code == 302
    assert Issue.objects.count() == before + 1
