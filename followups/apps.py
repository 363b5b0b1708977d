from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = _("Followups")

    def ready(self):
        from meetings import carry, minutes_page

        from .meeting_issues import MeetingIssues, open_issues

        minutes_page.register(MeetingIssues())
        # open issues are carried into the committee's next meeting (meetings/carry.py)
        carry.register(open_issues)
