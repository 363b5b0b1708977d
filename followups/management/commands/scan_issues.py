from django.core.management.base import BaseCommand
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from followups.scan import scan


class Command(BaseCommand):
    help = _("Send due reminders, mark overdue deadlines and escalate (the same job beat runs).")

    def add_arguments(self, parser):
        parser.add_argument("--now", help="ISO timestamp to scan as of (default: the current time)")

    def handle(self, *args, now=None, **options):
        when = parse_datetime(now) if now else None
        stats = scan(when, job="manage.py scan_issues")
        self.stdout.write(f"issues: {stats['issues']}, events: {stats['events']}, notifications: {stats['notified']}")
