"""The daily digest hook: items(user, now) -> [{"section", "text", "url"}] for the user's estates."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison import access

from . import actions, cadence, periods
from .models import Meeting


def items(user, now):
    out = []
    visible = actions.visible_meetings(user)
    today = periods.local_date(now)
    start, end = periods.start_of_day(today), periods.start_of_day(today + datetime.timedelta(days=1))
    for m in (
        visible.filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("estate")
    ):
        out.append(
            {
                "section": "due_today",
                "text": _("Meeting today %(time)s: %(title)s (%(estate)s)")
                % {
                    "time": timezone.localtime(m.starts_at).strftime("%H:%M"),
                    "title": m.title,
                    "estate": m.estate.name,
                },
                "url": m.get_absolute_url(),
            }
        )
    if access.has_leader_powers(user):
        for m in (
            visible.filter(status=Meeting.Status.AWAITING_APPROVAL).select_related("estate").order_by("starts_at")[:20]
        ):
            out.append(
                {
                    "section": "awaiting",
                    "text": _("Special-topic meeting awaiting your approval: %(title)s (%(estate)s)")
                    % {"title": m.title, "estate": m.estate.name},
                    "url": m.get_absolute_url(),
                }
            )
    if user.is_committee:
        return out
    managed = access.managed_estates(user)
    for m in visible.filter(
        estate__in=managed, minutes_breach_at__isnull=False, minutes__distributed_at__isnull=True
    ).select_related("estate")[:20]:
        out.append(
            {
                "section": "overdue",
                "text": _("Minutes overdue: %(title)s (%(estate)s)") % {"title": m.title, "estate": m.estate.name},
                "url": reverse("meetings:minutes", args=[m.pk]),
            }
        )
    estates = list(managed.order_by("name", "pk")[:20])
    due = cadence.due_next_by_estate(estates, now)
    for estate in estates:
        for row in due[estate.pk]:
            if row["status"] == "at_risk":
                out.append(
                    {
                        "section": "at_risk",
                        "text": _("%(estate)s: %(rule)s — %(held)s of %(required)s held, period ends %(end)s")
                        % {
                            "estate": estate.name,
                            "rule": row["rule"].name,
                            "held": row["held"],
                            "required": row["rule"].min_count,
                            "end": row["end"].isoformat(),
                        },
                        "url": reverse("meetings:cadence"),
                    }
                )
    return out
