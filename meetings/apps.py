from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self):
        from liaison.signals import estate_created

        from .cadence_defaults import install_default_rules

        def install_rules(sender, estate, **kwargs):
            install_default_rules(estate)

        # a new estate starts with the default cadence rules of the work instruction
        estate_created.connect(install_rules, dispatch_uid="meetings.install_default_rules", weak=False)

        from . import minutes_page
        from .carry_minutes import CarriedItems

        # the status of each item carried forward, first among the parts of the minutes page
        minutes_page.register(CarriedItems())
