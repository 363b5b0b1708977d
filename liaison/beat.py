from celery.schedules import crontab

SCHEDULE = {
    # the outbox is also delivered right after each commit; this catches up after a broker outage
    # and runs the retries that are due
    "deliver-notifications": {"task": "liaison.tasks.deliver_pending", "schedule": 60.0},
    # daily digest at 08:00 Asia/Shanghai (CELERY_TIMEZONE); the later runs catch up after downtime
    # and cost one query when every digest of the day is done (DigestRun is unique per user and day)
    "daily-digest": {"task": "liaison.tasks.send_digests", "schedule": crontab(minute="*/15", hour="8-11")},
}
# term-end reminders (180/90/30/7 days before term_end, each once: liaison.terms.scan_terms); hourly in
# the morning so a day's reminder comes after the quiet hours and a missed run catches up
SCHEDULE["committee-term-scan"] = {"task": "liaison.tasks.scan_terms", "schedule": crontab(minute=5, hour="8-11")}
