"""Daily digest hook: what each person should look at today among the issues."""

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.models import Role

from .deadlines import humanize
from .models import DEADLINE_LABELS, Issue
from .permissions import visible_issues

LIMIT = 50
AT_RISK = datetime.timedelta(hours=48)


def _relevant(user, now):
    qs = visible_issues(user).filter(closed_at__isnull=True).select_related("estate")
    if user.role == Role.DEPARTMENT:
        return qs.filter(assignee=user)
    if user.sees_all_estates:
        # leaders see what was escalated to them, not every estate's daily detail
        return qs.filter(escalation_level__gte=2)
    return qs


def items(user, now):
    """[{"section": "due_today"|"overdue"|"at_risk"|"awaiting", "text": str, "url": str}]"""
    if not user.is_authenticated:
        return []
    out = []
    if user.is_committee:
        for issue in visible_issues(user).filter(status=Issue.Status.RESOLVED).select_related("estate")[:LIMIT]:
            out.append(
                {
                    "section": "awaiting",
                    "text": _("Resolved, awaiting your confirmation: #%(pk)s %(headline)s")
                    % {"pk": issue.pk, "headline": issue.headline},
                    "url": issue.get_absolute_url(),
                }
            )
        return out
    today = timezone.localtime(now).date()
    horizon = now + AT_RISK
    qs = _relevant(user, now).filter(
        Q(triage_due_at__lte=horizon, triaged_at__isnull=True)
        | Q(reply_due_at__lte=horizon, replied_at__isnull=True)
        | Q(resolve_due_at__lte=horizon, resolved_at__isnull=True)
        | Q(callback_due_at__lte=horizon)
        | Q(status=Issue.Status.OPEN)
    )
    for issue in qs.order_by("next_check_at")[: LIMIT * 2]:
        for kind, due in issue.open_deadlines():
            if due > horizon or (kind == "callback" and user.role == Role.DEPARTMENT):
                continue  # callbacks are the office's job, not the assignee's
            if due < now:
                section = "overdue"
            elif timezone.localtime(due).date() == today:
                section = "due_today"
            else:
                section = "at_risk"
            out.append(
                {
                    "section": section,
                    "text": _("%(deadline)s %(when)s: #%(pk)s %(headline)s (%(estate)s)")
                    % {
                        "deadline": DEADLINE_LABELS[kind],
                        "when": humanize(due, now),
                        "pk": issue.pk,
                        "headline": issue.headline,
                        "estate": issue.estate.name,
                    },
                    "url": issue.get_absolute_url(),
                }
            )
        if issue.status == Issue.Status.OPEN and user.role in (Role.DIRECTOR, Role.SUPERVISOR):
            out.append(
                {
                    "section": "awaiting",
                    "text": _("Not yet classified or assigned: #%(pk)s %(headline)s (%(estate)s)")
                    % {"pk": issue.pk, "headline": issue.headline, "estate": issue.estate.name},
                    "url": issue.get_absolute_url(),
                }
            )
    order = {"overdue": 0, "due_today": 1, "at_risk": 2, "awaiting": 3}
    out.sort(key=lambda i: order[i["section"]])
    return out[:LIMIT]
