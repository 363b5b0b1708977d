"""Periodic jobs of the meetings app (merged into CELERY_BEAT_SCHEDULE by liaison/settings.py).

The cadence scan is daily (06:30 Asia/Shanghai) by default; LIAISON_CADENCE_SCAN_SECONDS switches it to
a fixed interval (used by the Celery integration test and handy on a demo machine). Running it more
often is harmless: every notice is sent once.
"""

import os

from celery.schedules import crontab

_every = os.environ.get("LIAISON_CADENCE_SCAN_SECONDS")

SCHEDULE = {
    "meetings-cadence-scan": {
        "task": "meetings.tasks.cadence_scan",
        "schedule": float(_every) if _every else crontab(hour=6, minute=30),
    },
    # recurring meetings: the drafts that came within MEETINGS_SERIES_AHEAD_DAYS
    "meetings-series-scan": {
        "task": "meetings.tasks.series_scan",
        "schedule": float(_every) if _every else crontab(hour=6, minute=15),
    },
    # the minutes deadline is 3 days; hourly keeps the reminder and the breach timely
    "meetings-minutes-scan": {
        "task": "meetings.tasks.minutes_scan",
        "schedule": float(_every) if _every else 3600.0,
    },
}
