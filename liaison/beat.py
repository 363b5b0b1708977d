from celery.schedules import crontab

SCHEDULE = {
    # the outbox is also delivered right after each commit; this catches up after a broker outage
    # and runs the retries that are due
    "deliver-notifications": {"task": "liaison.tasks.deliver_pending", "schedule": 60.0},
    # daily digest at 08:00 Asia/Shanghai (CELERY_TIMEZONE); the later runs catch up after downtime
    # and cost one query when every digest of the day is done (DigestRun is unique per user and day)
    "daily-digest": {"task": "liaison.tasks.send_digests", "schedule": crontab(minute="*/15", hour="8-11")},
}
