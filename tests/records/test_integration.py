"""Exactly once under concurrency, on PostgreSQL: two reminder scans racing send one reminder per signer."""

import datetime
import os
import threading

import pytest
from django.db import connection
from django.utils import timezone

from liaison.models import Notification
from records import documents, signoff
from records.models import SignoffRequest

from . import factories as f

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        pytest.skip("needs PostgreSQL (DATABASE_URL) and REDIS_URL")


def test_concurrent_reminder_scans_send_once(oc_a, director_a, chair_a, member_a):
    sheet = f.contact_sheet(oc_a, by=director_a)
    fragment = documents.contact_fragment(sheet)
    now = timezone.make_aware(datetime.datetime(2026, 11, 24, 10))
    members = [u.memberships.get() for u in (chair_a, member_a)]
    signoff.start(
        committee=oc_a,
        title="t",
        source=SignoffRequest.Source.CONTACT_SHEET,
        members=members,
        by=director_a,
        now=now,
        pdf=documents.frozen_pdf(oc_a.estate, "contact", fragment),
        html=fragment,
        contact_sheet=sheet,
    )
    later = now + datetime.timedelta(days=1, hours=1)
    barrier = threading.Barrier(4)
    errors = []

    def scan():
        try:
            barrier.wait()
            signoff.send_reminders(later)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Notification.objects.filter(kind="signoff.reminder").count() == 2
