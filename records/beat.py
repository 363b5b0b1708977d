from celery.schedules import crontab

SCHEDULE = {
    # one reminder a day per outstanding signer (exactly once: indexed next_reminder_at + per-day key);
    # hourly so that a missed run (downtime) is caught up the same morning
    "records-signoff-reminders": {"task": "records.tasks.send_signoff_reminders", "schedule": crontab(minute=5)},
}
