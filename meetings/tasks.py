"""Thin Celery wrappers around the plain job functions (the management command calls the same)."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="meetings.tasks.cadence_scan")
def cadence_scan():
    from .cadence import scan_cadence

    return scan_cadence(timezone.now())


@shared_task(name="meetings.tasks.series_scan")
def series_scan():
    from .jobs import extend_series

    return extend_series(timezone.now())


@shared_task(name="meetings.tasks.minutes_scan")
def minutes_scan():
    from .jobs import retry_secretariat_email, scan_minutes, scan_resolutions

    now = timezone.now()
    return {
        "minutes": scan_minutes(now),
        "resolutions": scan_resolutions(now),
        "secretariat": retry_secretariat_email(now),
    }


@shared_task(name="meetings.tasks.email_secretariat")
def email_secretariat(dispatch_id):
    from .jobs import email_secretariat as send

    return send(dispatch_id)
