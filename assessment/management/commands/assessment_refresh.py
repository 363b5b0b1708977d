"""Compute the provisional figures of the months not closed now (the same function as the beat job).

Safe to run at any time, twice, or concurrently with the beat job. `--now 2026-07-01T08:00+08:00`
computes as of another moment.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from assessment.provisional import refresh_open_months


class Command(BaseCommand):
    help = "Refresh the provisional assessment figures of the current and previous month (as the beat job)."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="ISO date-time to compute at (default: now)")

    def handle(self, *args, **options):
        now = timezone.now()
        if options.get("now"):
            try:
                now = datetime.datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now: {exc}") from exc
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        result = refresh_open_months(now, job="command:assessment_refresh")
        self.stdout.write(str(result))
