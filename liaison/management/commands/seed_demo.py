from django.core.management.base import BaseCommand

from liaison import demo


class Command(BaseCommand):
    help = "Load the demo data (idempotent)."

    def handle(self, *args, **options):
        core = demo.seed()
        self.stdout.write(f"demo data ready: {len(core['users'])} accounts, password {demo.DEMO_PASSWORD}")
