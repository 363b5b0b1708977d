"""Who may see what. Deny by default: every queryset a user sees starts here.

Company staff see estates: leaders, assessors and administrators every estate; directors,
supervisors and department staff the estates they are assigned to. A committee member sees only
their own committee(s) (active membership) and, read-only, that committee's estate.
Other apps scope their objects with `scope()` so the rule lives in one place.
"""

from django.db.models import Q
from django.http import Http404

from .models import Committee, CommitteeMember, Estate, Role


def visible_estates(user):
    if not user.is_authenticated or not user.is_active:
        return Estate.objects.none()
    if user.sees_all_estates:
        return Estate.objects.all()
    if user.is_committee:
        return Estate.objects.filter(
            committees__members__user=user, committees__members__ended_on__isnull=True
        ).distinct()
    return Estate.objects.filter(assignments__user=user).distinct()


def visible_committees(user):
    if not user.is_authenticated or not user.is_active:
        return Committee.objects.none()
    if user.is_committee:
        return Committee.objects.filter(members__user=user, members__ended_on__isnull=True).distinct()
    return Committee.objects.filter(estate__in=visible_estates(user))


def visible_members(user):
    return CommitteeMember.objects.filter(committee__in=visible_committees(user))


def scope(qs, user, *, estate="estate", committee="committee"):
    """Limit any queryset of estate- or committee-bound objects to what `user` may see.

    Committee members are limited by committee when the model has one (`committee=None` means the
    model is only estate-bound, and then a committee member sees nothing of it).
    """
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.sees_all_estates:
        return qs
    if user.is_committee:
        if committee is None:
            return qs.none()
        return qs.filter(**{f"{committee}__in": visible_committees(user).values("pk")})
    return qs.filter(**{f"{estate}__in": visible_estates(user).values("pk")})


def get_visible(qs, user, pk, **scope_kwargs):
    """The object if `user` may see it, else 404 (also for ids that exist elsewhere)."""
    try:
        return scope(qs, user, **scope_kwargs).get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404


def can_manage_estate(user, estate):
    """May change the estate's committees and members: administrators and its director/supervisors."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    return estate.assignments.filter(user=user, role__in=[Role.DIRECTOR, Role.SUPERVISOR]).exists()


def managed_estates(user):
    if user.is_admin:
        return Estate.objects.all()
    return Estate.objects.filter(assignments__user=user, assignments__role__in=[Role.DIRECTOR, Role.SUPERVISOR])


def visible_estates_managed(user):
    """visible_estates(user), each annotated `managed`: whether the user manages it (managed_estates),
    read in the same query (the home page and the meeting list need both)."""
    from django.db.models import Exists, OuterRef

    return visible_estates(user).annotate(managed=Exists(managed_estates(user).filter(pk=OuterRef("pk"))))


def is_leader(user):
    return user.is_authenticated and (user.is_superuser or user.role in (Role.LEADER, Role.ADMIN))


def committee_filter_for(user):
    """A Q on `committee` for committee members, used by views that list mixed objects."""
    return Q(committee__in=visible_committees(user))
