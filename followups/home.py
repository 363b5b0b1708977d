"""The issues panel on the home page: the first open issues, next deadline first, and the figures over
every open issue the user may see (Issue.overdue_q is what "overdue" means here as on the list)."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from liaison.models import Role

from .deadlines import humanize
from .models import DEADLINE_LABELS, Issue


def issue_row(issue, now):
    """One issue as the issue list and this panel show it: a table row on a desktop, a card on a phone
    (followups/_issue_row.html, _issue_card.html)."""
    nxt = issue.next_deadline()
    return {
        "issue": issue,
        "next": (DEADLINE_LABELS[nxt[0]], nxt[1]) if nxt else None,
        "when": humanize(nxt[1], now) if nxt else "",
        "overdue": issue.is_overdue(now),
    }


def _rows(issues, now):
    return [issue_row(issue, now) for issue in issues]


def panel(request, now):
    user = request.user
    if not user.is_authenticated:
        return None
    open_issues = Issue.objects.visible_to(user).filter(closed_at__isnull=True)
    first = open_issues.select_related("estate", "committee", "assignee").order_by("next_check_at", "-raised_at")
    figures = {"open": Count("pk"), "overdue": Count("pk", filter=Issue.overdue_q(now))}
    if user.role == Role.DEPARTMENT:
        title = _("My assigned work")
        # the figures over every issue they see, the rows those assigned to them
        first = first.filter(assignee=user)[:15]
    elif user.is_committee:
        title = _("Our committee's issues")
        first = first[:10]
        figures["awaiting"] = Count("pk", filter=Q(status=Issue.Status.RESOLVED))  # their confirmation
    else:
        title = _("Open issues")
        first = first[:10]
        figures["awaiting"] = Count("pk", filter=Q(status=Issue.Status.OPEN))  # not yet classified
    counts = open_issues.aggregate(**figures)
    return {
        "template": "followups/home_panel.html",
        "title": title,
        "rows": _rows(first, now),
        "open_count": counts["open"],
        "overdue_count": counts["overdue"],
        "awaiting": counts.get("awaiting", 0),
        "can_raise": user.role != Role.ASSESSOR,
    }
