import logging

from celery import shared_task
from django.utils import timezone

from . import batch, signoff
from .models import BatchJob

log = logging.getLogger(__name__)


@shared_task
def run_batch(job_id):
    return batch.run_job(job_id)


def enqueue_batch(job_id):
    """Hand a committed print job to the workers; without a broker the job fails with a message (the
    page shows it) instead of waiting for ever."""
    try:
        run_batch.apply_async(args=[job_id], retry=False)
    except Exception:  # noqa: BLE001
        log.warning("broker unavailable; batch job %s stays queued", job_id)
        BatchJob.objects.filter(pk=job_id, status=BatchJob.Status.QUEUED).update(
            status=BatchJob.Status.FAILED, error="The print service is not reachable. Try again later."
        )


@shared_task
def send_signoff_reminders():
    return signoff.send_reminders(timezone.now())


@shared_task
def scan_matters():
    from . import matter_scan

    return matter_scan.scan(timezone.now())


@shared_task
def scan_contact_sheets():
    from . import contact_scan

    return contact_scan.scan(timezone.now())
