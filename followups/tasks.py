from celery import shared_task

from . import scan


@shared_task
def scan_issues():
    """Beat job: the same function `manage.py scan_issues` calls."""
    return scan.scan(job="beat:followups.scan_issues")
