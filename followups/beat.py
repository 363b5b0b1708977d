import os

# How often the deadline scan runs; the tests shorten it (LIAISON_ISSUE_SCAN_SECONDS=2).
SCAN_SECONDS = float(os.environ.get("LIAISON_ISSUE_SCAN_SECONDS", "300"))

SCHEDULE = {
    "followups-scan-issues": {
        "task": "followups.tasks.scan_issues",
        "schedule": SCAN_SECONDS,
        "options": {"expires": max(SCAN_SECONDS - 1, 1)},
    },
}
