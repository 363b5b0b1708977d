"""Periodic jobs of the assessment (merged into CELERY_BEAT_SCHEDULE by liaison/settings.py).

Every 10 minutes: the provisional figures of the current and the previous month (and of any other
month not closed that has them), so the month view reads them instead of computing 200 estates live.
Running it twice or concurrently is harmless (one upsert per month; a newer snapshot is kept).
"""

INTERVAL_MINUTES = 10  # shown on the month page ("updated every 10 minutes"); imported by settings: no models

SCHEDULE = {
    "assessment-refresh-provisional": {
        "task": "assessment.tasks.refresh_provisional",
        "schedule": INTERVAL_MINUTES * 60.0,
    },
}
