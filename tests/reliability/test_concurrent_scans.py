"""Two beat processes by mistake / two workers running the same scans at once (threads on PostgreSQL,
each with its own connection): no duplicate effects."""

import threading

import pytest
from django.core import mail
from django.db import connection

from .conftest import needs_pg_and_redis
from .scenario import T0, T1, build, effects, run_all

pytestmark = pytest.mark.integration


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_of_every_job_have_no_duplicate_effects(personas, estate_a, oc_a):
    needs_pg_and_redis()
    build(personas, estate_a=estate_a, oc_a=oc_a)
    run_all(T0)
    barrier = threading.Barrier(3)
    errors = []

    def beat():
        try:
            barrier.wait(timeout=30)
            for _ in range(3):
                run_all(T1)
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    together = effects()
    emails = [(tuple(m.to), m.subject) for m in mail.outbox]
    assert len(emails) == len(set(emails)), [e for e in emails if emails.count(e) > 1]
    # every step a job took is in the history once (the same change by two runs would show twice)
    from liaison.models import AuditEntry

    steps = [(a.object_type, a.object_id, a.action, repr(a.changes)) for a in AuditEntry.objects.filter(actor=None)]
    assert len(steps) == len(set(steps)), [s for s in steps if steps.count(s) > 1]
    from liaison.models import Notification

    per_event = list(Notification.objects.values_list("recipient_id", "kind", "subject"))
    assert len(per_event) == len(set(per_event)), [n for n in per_event if per_event.count(n) > 1]
    run_all(T1)  # a calm run afterwards finds nothing left to do
    assert effects() == together
    assert together["deadline_events"] > 0 and together["notifications"] > 0
