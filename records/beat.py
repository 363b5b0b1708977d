from celery.schedules import crontab

SCHEDULE = {
    # one reminder a day per outstanding signer (exactly once: indexed next_reminder_at + per-day key);
    # hourly so that a missed run (downtime) is caught up the same morning
    "records-signoff-reminders": {"task": "records.tasks.send_signoff_reminders", "schedule": crontab(minute=5)},
    # important matters (§4.1.6): a reminder before the raise-by moment, the leader after it (exactly once:
    # indexed next_check_at + MatterEvent's unique key); every 5 minutes, a major accident is the same day
    "records-matters-scan": {"task": "records.tasks.scan_matters", "schedule": 300.0, "options": {"expires": 299}},
    # PF-09-R05 sent with a reply_by: reminded a day before, marked overdue once (records/contact_scan.py)
    "records-contact-scan": {
        "task": "records.tasks.scan_contact_sheets",
        "schedule": 300.0,
        "options": {"expires": 299},
    },
}
