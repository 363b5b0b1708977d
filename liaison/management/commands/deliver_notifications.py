from django.core.management.base import BaseCommand

from liaison.delivery import deliver_pending


class Command(BaseCommand):
    help = "Deliver the notification outbox now (the same function the beat job runs)."

    def handle(self, *args, **options):
        self.stdout.write(str(deliver_pending()))
