from django.core.management.base import BaseCommand
from django.utils import timezone

from liaison.digest import send_digests


class Command(BaseCommand):
    help = "Send today's daily digests that are not sent yet (the same function the beat job runs)."

    def handle(self, *args, **options):
        self.stdout.write(str(send_digests(timezone.now())))
