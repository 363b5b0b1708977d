"""What a user may do with issues, in the words of liaison.access (the one statement of who sees what
and who runs an estate); deny by default.

- see: access.issues() (their estates or committees; department staff also what is assigned to them);
- raise: committee members for their own committees; company staff for visible estates (assessors only
  read);
- work (reply, resolve, coordinate, attach): those who triage, and the assignee;
- triage (classify, assign) and callbacks: those who run the estate (access.manages_estate) and those
  with leader powers;
- close by decision: the estate's director (access.directs_estate) and those with leader powers;
- confirm or dispute a resolution: active members of the issue's committee.
"""

from django.http import Http404

from liaison import access
from liaison.models import Role

from .models import Issue


def visible_issues(user):
    return Issue.objects.visible_to(user)


def get_issue(user, pk):
    """The issue if `user` may see it, else 404 (also for ids of other estates)."""
    try:
        return visible_issues(user).select_related("estate", "committee", "assignee", "department", "policy").get(pk=pk)
    except (Issue.DoesNotExist, ValueError, TypeError):
        raise Http404


def can_raise(user):
    return user.is_authenticated and user.role != Role.ASSESSOR


def can_triage(user, issue):
    return access.has_leader_powers(user) or access.manages_estate(user, issue.estate_id)


def can_triage_some(user):
    """May triage the issues of at least one estate (offers bulk assignment on the list)."""
    return access.has_leader_powers(user) or access.managed_estates(user).exists()


def _assigned(user, issue):
    return user.is_authenticated and not user.is_committee and issue.assignee_id == user.pk


def can_work(user, issue):
    return can_triage(user, issue) or _assigned(user, issue)


def can_callback(user, issue):
    return can_triage(user, issue)


def can_decide_close(user, issue):
    return access.has_leader_powers(user) or access.directs_estate(user, issue.estate_id)


def can_confirm(user, issue):
    return access.in_committee(user, issue.committee_id)


def can_attach(user, issue):
    return can_work(user, issue) or can_confirm(user, issue)


def abilities(user, issue):
    """What the issue's page and the API offer `user`, by the rules above (each step checks its own rule
    again when it is taken)."""
    open_ = not issue.is_closed
    triage = can_triage(user, issue)
    work = triage or _assigned(user, issue)
    decide = can_decide_close(user, issue)
    confirm = can_confirm(user, issue)
    return {
        "work": work and open_,
        "triage": triage and open_,
        "callback": triage and open_,  # can_callback
        "close": (triage or decide) and open_,
        "decide": decide,
        "confirm": confirm and issue.status == Issue.Status.RESOLVED,
        "attach": (work or confirm) and open_,  # can_attach
    }


def raisable_committees(user):
    if not can_raise(user):
        return access.visible_committees(user).none()
    return access.visible_committees(user).select_related("estate")
