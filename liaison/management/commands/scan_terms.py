from django.core.management.base import BaseCommand
from django.utils import timezone

from liaison import terms


class Command(BaseCommand):
    help = "Remind directors and chairs of committee terms ending in 180, 90, 30 and 7 days (each once)."

    def handle(self, *args, **options):
        self.stdout.write(f"reminders sent: {terms.scan_terms(timezone.now())}")
