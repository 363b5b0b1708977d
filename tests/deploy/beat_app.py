"""A Celery app for the beat-lock test: the portal's configuration with a one-second test schedule.

`celery -A tests.deploy.beat_app beat` sends `beat_lock_probe` every second to the queue named by
BEAT_TEST_QUEUE; the test reads that queue in Redis (each message names the process that sent it).
"""

import os

from liaison.celery import app

app.conf.beat_schedule = {
    "beat-lock-probe": {
        "task": "tests.beat_lock_probe",
        "schedule": 1.0,
        "options": {"queue": os.environ["BEAT_TEST_QUEUE"], "expires": 600},
    }
}
app.conf.beat_scheduler = "liaison.beat_lock.LockedScheduler"
