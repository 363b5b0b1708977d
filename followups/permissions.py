"""Who may see and do what with issues. Deny by default; built on liaison.access.

- see: liaison.access.scope() (leaders, assessors, admins: all; office and department staff: their
  estates; committee members: their own committees) plus, for department staff, every issue assigned
  to them even outside their estates;
- raise: committee members for their own committees; office staff, leaders and admins for visible
  estates (assessors only read);
- work (reply, resolve, coordinate, attach): the estate's office, leaders, admins, and the assignee;
- triage (classify, assign) and callbacks: the estate's office (director, supervisor), leaders, admins;
- close by decision: the estate's director, leaders, admins;
- confirm or dispute a resolution: members of the issue's committee.
"""

from django.db.models import Q
from django.http import Http404

from liaison import access
from liaison.models import Role, StaffAssignment

from .models import Issue


def visible_issues(user, qs=None):
    qs = Issue.objects.all() if qs is None else qs
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role == Role.DEPARTMENT and not user.sees_all_estates:
        # access.scope's estate rule, or assigned to them: two conditions on the issue's own columns with
        # the estate ids as a list, so PostgreSQL combines the estate and assignee indexes (a subquery on
        # either side of the OR made it read all 100,000 issues of the bench data: 51-66 ms a count).
        estate_ids = list(access.visible_estates(user).values_list("pk", flat=True))
        return qs.filter(Q(estate_id__in=estate_ids) | Q(assignee=user))
    return access.scope(qs, user)


def get_issue(user, pk):
    """The issue if `user` may see it, else 404 (also for ids of other estates)."""
    try:
        return visible_issues(user).select_related("estate", "committee", "assignee", "department", "policy").get(pk=pk)
    except (Issue.DoesNotExist, ValueError, TypeError):
        raise Http404


def _estate_role(user, estate_id, roles):
    return StaffAssignment.objects.filter(user=user, estate_id=estate_id, role__in=roles).exists()


def _all_powerful(user):
    return user.is_superuser or user.role in (Role.ADMIN, Role.LEADER)


def can_raise(user):
    return user.is_authenticated and user.role != Role.ASSESSOR


def can_triage(user, issue):
    if not user.is_authenticated or user.is_committee:
        return False
    return _all_powerful(user) or _estate_role(user, issue.estate_id, [Role.DIRECTOR, Role.SUPERVISOR])


def can_work(user, issue):
    if not user.is_authenticated or user.is_committee:
        return False
    return can_triage(user, issue) or (issue.assignee_id is not None and issue.assignee_id == user.pk)


def can_callback(user, issue):
    return can_triage(user, issue)


def can_decide_close(user, issue):
    if not user.is_authenticated or user.is_committee:
        return False
    return _all_powerful(user) or _estate_role(user, issue.estate_id, [Role.DIRECTOR])


def can_confirm(user, issue):
    return (
        user.is_authenticated
        and user.is_committee
        and access.visible_committees(user).filter(pk=issue.committee_id).exists()
    )


def raisable_committees(user):
    if not can_raise(user):
        return access.visible_committees(user).none()
    return access.visible_committees(user).select_related("estate")
