from celery import shared_task

from . import delivery


@shared_task
def deliver_pending():
    return delivery.deliver_pending()
