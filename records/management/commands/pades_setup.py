from django.core.management.base import BaseCommand

from liaison.models import Company
from records import pades


class Command(BaseCommand):
    help = "Make the demo company certificate (a local CA, signing and timestamping certificates) for PAdES."

    def handle(self, *args, **options):
        if pades.production_configured():
            self.stdout.write("LIAISON_PADES_KEY / LIAISON_PADES_CERT are set: the company's certificate is used")
            return
        company = Company.objects.order_by("pk").first()
        folder = pades.ensure_demo_pki(company.name if company else None)
        self.stdout.write(f"demo PKI in {folder} (trust ca.pem in a PDF reader to see the signer as trusted)")
