"""The meetings panel on the home page: approvals waiting, my invitations, today's meetings, minutes
to distribute and, per estate they manage, what the cadence needs next and by when.

Everything is read through liaison.access with the ORM; the 'due next' rows are meetings.cadence's
(the counter the scan, the cadence page and the assessment use), read for all the estates at once."""

import datetime

from liaison import access

from . import periods
from .cadence import due_next_by_estate
from .models import Invitation, Meeting

LIMIT = 10  # rows per list, estates with a 'due next' table


def panel(request, now):
    user = request.user
    if not user.is_authenticated:
        return None
    visible = access.meetings(Meeting.objects.all(), user)
    today = periods.local_date(now)
    start, end = periods.start_of_day(today), periods.start_of_day(today + datetime.timedelta(days=1))
    ctx = {
        "template": "meetings/home_panel.html",
        "approvals": list(visible.filter(status=Meeting.Status.AWAITING_APPROVAL).order_by("starts_at", "pk")[:LIMIT])
        if access.has_leader_powers(user)
        else [],
        # invitations to confirmed meetings still ahead that they do not organise themselves
        "invitations": list(
            Invitation.objects.filter(
                user=user, meeting__in=visible, meeting__status=Meeting.Status.CONFIRMED, meeting__starts_at__gte=now
            )
            .exclude(meeting__organizer=user)
            .select_related("meeting")
            .order_by("meeting__starts_at", "pk")[:LIMIT]
        ),
        "today": list(
            visible.filter(starts_at__gte=start, starts_at__lt=end)
            .exclude(status=Meeting.Status.CANCELLED)
            .select_related("estate")
            .order_by("starts_at", "pk")[:LIMIT]
        ),
        "minutes_due": [],
        "due": [],
    }
    # the estates they run; those who see every estate have the cadence page instead
    if not user.is_committee and not user.sees_all_estates:
        managed = access.managed_estates(user)
        ctx["minutes_due"] = list(
            visible.filter(estate__in=managed, minutes_closed_at__isnull=True, minutes_due_at__isnull=False).order_by(
                "minutes_due_at", "pk"
            )[:LIMIT]
        )
        estates = list(managed.order_by("name", "pk")[:LIMIT])
        due = due_next_by_estate(estates, now)
        ctx["due"] = [
            {"estate": estate, "rules": [r for r in due[estate.pk] if r["status"] != "met"]} for estate in estates
        ]
    if not any(ctx[k] for k in ("approvals", "invitations", "today", "minutes_due", "due")):
        return None
    return ctx
