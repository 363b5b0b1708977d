"""Deliver the outbox: claim each due Delivery with a conditional UPDATE, send, mark.

Promise: at most once per (notification, channel) on success; a crash between claim and mark
leaves the row 'sending' and it is retried after CLAIM_TIMEOUT (so a crash retries rather than loses).
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone

from .models import Delivery

log = logging.getLogger(__name__)
CLAIM_TIMEOUT = datetime.timedelta(minutes=10)
MAX_ATTEMPTS = 6


def backoff(attempts):
    return datetime.timedelta(minutes=2 ** min(attempts, 8))


def due_deliveries(now):
    return Delivery.objects.filter(
        Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
    ).order_by("next_attempt_at")


def claim(delivery, now):
    """Conditional UPDATE on (id, old state): only one worker wins."""
    return (
        Delivery.objects.filter(pk=delivery.pk, status=delivery.status, attempts=delivery.attempts).update(
            status=Delivery.Status.SENDING, claimed_at=now, attempts=delivery.attempts + 1
        )
        == 1
    )


def send(delivery):
    n = delivery.notification
    if delivery.channel == Delivery.Channel.EMAIL:
        body = n.body
        if n.url:
            body = f"{body}\n\n{settings.SITE_URL}{n.url}"
        send_mail(n.subject, body, settings.DEFAULT_FROM_EMAIL, [n.recipient.email])
    else:
        raise ValueError(f"unknown channel {delivery.channel}")


def deliver_pending(now=None, limit=500):
    """Deliver what is due. Returns the number of deliveries sent."""
    sent = 0
    for _ in range(limit):
        now = now or timezone.now()
        delivery = due_deliveries(now).select_related("notification__recipient").first()
        if delivery is None:
            break
        if not claim(delivery, now):
            continue
        attempts = delivery.attempts + 1
        try:
            send(delivery)
        except Exception as exc:  # noqa: BLE001 - any channel failure is recorded, then retried
            log.warning("delivery %s failed: %s", delivery.pk, exc)
            failed = attempts >= MAX_ATTEMPTS
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.FAILED if failed else Delivery.Status.PENDING,
                next_attempt_at=now + backoff(attempts),
                last_error=str(exc)[:2000],
            )
            continue
        Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SENT, sent_at=timezone.now())
        sent += 1
    return sent
