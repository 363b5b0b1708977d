from django.apps import AppConfig


class SeedingConfig(AppConfig):
    """Bulk data for the benchmarks (`manage.py seed_bulk`): the top layer, it writes every app's rows."""

    name = "seeding"
    verbose_name = "Bulk data"
