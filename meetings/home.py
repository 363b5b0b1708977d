"""The meetings panel on the home page: approvals waiting, my invitations, today's meetings, minutes
to distribute and, per estate, what the cadence needs next and by when."""

import datetime

from liaison import access

from . import actions, cadence, periods
from .models import Invitation, Meeting


def panel(request, now):
    user = request.user
    if not user.is_authenticated:
        return None
    visible = actions.visible_meetings(user)
    today = periods.local_date(now)
    start, end = periods.start_of_day(today), periods.start_of_day(today + datetime.timedelta(days=1))
    ctx = {
        "template": "meetings/home_panel.html",
        "approvals": list(visible.filter(status=Meeting.Status.AWAITING_APPROVAL).order_by("starts_at")[:10])
        if actions.can_approve(user)
        else [],
        "invitations": list(
            Invitation.objects.filter(
                user=user, meeting__in=visible, meeting__status=Meeting.Status.CONFIRMED, meeting__starts_at__gte=now
            )
            .exclude(meeting__organizer=user)
            .select_related("meeting")
            .order_by("meeting__starts_at")[:10]
        ),
        "today": list(
            visible.filter(starts_at__gte=start, starts_at__lt=end).exclude(status=Meeting.Status.CANCELLED)[:10]
        ),
        "minutes_due": [],
        "due": [],
    }
    if not user.is_committee:
        managed = access.managed_estates(user) if not user.sees_all_estates else access.managed_estates(user).none()
        ctx["minutes_due"] = list(
            visible.filter(estate__in=managed, minutes_closed_at__isnull=True, minutes_due_at__isnull=False).order_by(
                "minutes_due_at"
            )[:10]
        )
        for estate in managed[:10]:
            rows = [r for r in cadence.due_next(estate, now) if r["status"] != "met"]
            ctx["due"].append({"estate": estate, "rules": rows})
    if not any(ctx[k] for k in ("approvals", "invitations", "today", "minutes_due", "due")):
        return None
    return ctx
