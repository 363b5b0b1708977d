from django.core.management.base import BaseCommand
from django.utils import timezone

from records.signoff import send_reminders


class Command(BaseCommand):
    help = "Send today's reminders to signers who have not signed (safe to run twice)."

    def handle(self, *args, **options):
        self.stdout.write(f"{send_reminders(timezone.now())} reminders sent")
