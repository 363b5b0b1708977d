"""Run the meetings' daily jobs now: cadence status and notices, minutes deadlines, overdue resolutions.

Safe to run at any time, twice, or concurrently with the beat job: each notice is sent once.
`--now 2026-07-01T08:00+08:00` evaluates as of another moment (catching up, checking a rule).
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from meetings.jobs import run_daily


class Command(BaseCommand):
    help = "Compute cadence status and send due notices (the same function as the beat job)."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="ISO date-time to evaluate at (default: now)")

    def handle(self, *args, **options):
        now = timezone.now()
        if options.get("now"):
            try:
                now = datetime.datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now: {exc}") from exc
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        result = run_daily(now)
        self.stdout.write(str(result))
