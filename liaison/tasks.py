"""Celery tasks: thin wrappers around the plain functions in delivery.py and digest.py."""

from celery import shared_task
from django.utils import timezone

from . import delivery, digest, sms

# Retries further away than this are left to the periodic deliver-notifications job (every minute).
MAX_SELF_RESCHEDULE_SECONDS = 120


@shared_task
def deliver_pending():
    result = delivery.deliver_pending()
    if result["more"]:
        deliver_pending.apply_async(retry=False)
    elif result["next_retry_at"] is not None:
        wait = (result["next_retry_at"] - timezone.now()).total_seconds()
        if wait <= MAX_SELF_RESCHEDULE_SECONDS:
            deliver_pending.apply_async(countdown=max(wait, 0) + 0.05, retry=False)
    return {k: v for k, v in result.items() if k != "next_retry_at"}


@shared_task
def send_digests():
    return digest.send_digests(timezone.now())


@shared_task
def scan_terms():
    from . import terms

    return terms.scan_terms(timezone.now())


@shared_task(bind=True, max_retries=4)
def send_one_time_sms(self, challenge_id, values):
    """A sign-in link or signing code (liaison.otp): retried after 10, 20, 40, 80 s on a provider's
    timeout or throttling; send_challenge sends nothing once the secret is used or expired."""
    from . import otp

    try:
        return otp.send_challenge(challenge_id, values)
    except sms.SmsError as exc:
        raise self.retry(exc=exc, countdown=10 * 2**self.request.retries)
