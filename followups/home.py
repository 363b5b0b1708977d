"""The issues panel on the home page."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from liaison.models import Role

from .deadlines import humanize
from .models import Issue
from .permissions import visible_issues


def _rows(qs, now):
    rows = []
    for issue in qs:
        nxt = issue.next_deadline()
        rows.append(
            {
                "issue": issue,
                "next": nxt,
                "when": humanize(nxt[1], now) if nxt else "",
                "overdue": bool(nxt and nxt[1] < now),
            }
        )
    return rows


def panel(request, now):
    user = request.user
    if not user.is_authenticated:
        return None
    open_qs = (
        visible_issues(user)
        .filter(closed_at__isnull=True)
        .select_related("estate", "committee", "assignee")
        .order_by("next_check_at", "-raised_at")
    )
    if user.is_committee:
        title = _("Our committee's issues")
        rows = _rows(open_qs[:10], now)
        awaiting = Q(status=Issue.Status.RESOLVED)
    elif user.role == Role.DEPARTMENT:
        title = _("My assigned work")
        rows = _rows(open_qs.filter(assignee=user)[:15], now)
        awaiting = None
    else:
        title = _("Open issues")
        rows = _rows(open_qs[:10], now)
        awaiting = Q(status=Issue.Status.OPEN)
    # the three figures in one query
    figures = {"open": Count("pk"), "overdue": Count("pk", filter=Issue.overdue_q(now))}
    if awaiting is not None:
        figures["awaiting"] = Count("pk", filter=awaiting)
    counts = open_qs.aggregate(**figures)
    return {
        "template": "followups/home_panel.html",
        "title": title,
        "rows": rows,
        "open_count": counts["open"],
        "overdue_count": counts["overdue"],
        "awaiting": counts.get("awaiting", 0),
        "can_raise": user.role != Role.ASSESSOR,
    }
