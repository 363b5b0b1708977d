from celery import shared_task
from django.utils import timezone

from . import batch, signoff


@shared_task
def run_batch(job_id):
    return batch.run_job(job_id)


@shared_task
def send_signoff_reminders():
    return signoff.send_reminders(timezone.now())
