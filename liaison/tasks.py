"""Celery tasks: thin wrappers around the plain functions in delivery.py and digest.py."""

from celery import shared_task
from django.utils import timezone

from . import delivery, digest
from .otp import send_one_time_sms  # noqa: F401 - registered with the worker (liaison.otp)

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
