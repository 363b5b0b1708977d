from celery import shared_task
from django.utils import timezone

from . import provisional


@shared_task
def refresh_provisional():
    """Beat job: the same function `manage.py assessment_refresh` calls."""
    return provisional.refresh_open_months(timezone.now())
