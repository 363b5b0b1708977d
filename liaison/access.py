"""Who may see what, and who may do what. The one place that says it; deny by default.

Company staff see estates: leaders, assessors and administrators every estate; directors,
supervisors and department staff the estates they are assigned to. A committee member sees only
their own committee(s) (active membership) and, read-only, that committee's estate.

Every page, the API, the exports, the PDFs and the jobs read through these functions with the ORM:
`scope()` for anything bound to an estate or a committee, `meetings()` and `issues()` for the two
objects with a rule of their own, `manages_estate()` / `managed_estates()` for running an estate's
meetings and records, `has_leader_powers()` for approving and escalating. The models' querysets call
these (`Meeting.objects.visible_to(user)`, `Issue.objects.visible_to(user)`), never restate them.
"""

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from .models import Committee, Estate, Role, User

# the roles that run an estate's liaison work (schedule meetings, records, triage issues)
MANAGING_ROLES = (Role.DIRECTOR, Role.SUPERVISOR)


def _active(user):
    return user.is_authenticated and user.is_active


def serving(prefix=""):
    """A Q for committee memberships in force today: not ended, and the member's own term not past
    (a member whose term ended sees nothing of the committee; `ended_on` alone kept them in)."""
    today = timezone.localdate()
    return Q(**{f"{prefix}ended_on__isnull": True}) & (
        Q(**{f"{prefix}term_end__isnull": True}) | Q(**{f"{prefix}term_end__gte": today})
    )


def visible_estates(user):
    if not _active(user):
        return Estate.objects.none()
    if user.sees_all_estates:
        return Estate.objects.all()
    if user.is_committee:
        return Estate.objects.filter(Q(committees__members__user=user) & serving("committees__members__")).distinct()
    return Estate.objects.filter(assignments__user=user).distinct()


def visible_committees(user):
    if not _active(user):
        return Committee.objects.none()
    if user.is_committee:
        return Committee.objects.filter(Q(members__user=user) & serving("members__")).distinct()
    return Committee.objects.filter(estate__in=visible_estates(user))


def scope(qs, user, *, estate="estate", committee="committee"):
    """Limit any queryset of estate- or committee-bound objects to what `user` may see.

    Committee members are limited by committee when the model has one (`committee=None` means the
    model is only estate-bound, and then a committee member sees nothing of it).
    """
    if not _active(user):
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


def meetings(qs, user):
    """Meetings `user` may see (`qs`: a Meeting queryset): scope(), and a committee sees a meeting
    only once it has been sent to it."""
    qs = scope(qs, user)
    if _active(user) and user.is_committee:
        qs = qs.filter(sent_at__isnull=False)
    return qs


def issues(qs, user):
    """Issues `user` may see (`qs`: an Issue queryset): scope(), and department staff also every
    issue assigned to them, even outside their estates."""
    if not _active(user):
        return qs.none()
    if user.role == Role.DEPARTMENT and not user.sees_all_estates:
        # their estates' ids as a list: PostgreSQL then combines the estate and assignee indexes, where a
        # subquery on one side of the OR made it read every open issue (the cost grew with the company)
        estate_ids = list(visible_estates(user).values_list("pk", flat=True))
        return qs.filter(Q(estate_id__in=estate_ids) | Q(assignee=user))
    return scope(qs, user)


def resolutions(qs, user):
    """Meeting resolutions `user` may see (`qs`: a Resolution queryset): scope() by the resolution's estate
    and committee, and a committee sees only those of meetings sent to it (as `meetings`); staff of a
    department also the resolutions they are responsible for."""
    if not _active(user):
        return qs.none()
    if user.role == Role.DEPARTMENT and not user.sees_all_estates:
        estate_ids = list(visible_estates(user).values_list("pk", flat=True))
        return qs.filter(Q(estate_id__in=estate_ids) | Q(owner=user))
    qs = scope(qs, user)
    if user.is_committee:
        qs = qs.filter(meeting__sent_at__isnull=False)
    return qs


def important_matters(qs, user):
    """Important matters (§4.1.6) `user` may see (`qs`: an ImportantMatter queryset): scope() by estate and
    committee; a committee sees a matter only once it has been raised with it (before that it is the
    company's own preparation)."""
    qs = scope(qs, user)
    if _active(user) and user.is_committee:
        qs = qs.filter(raised_at__isnull=False)
    return qs


def contacts(qs, user):
    """Contacts with a committee (calls, visits, reports … `qs`: a Contact queryset) `user` may see:
    scope(): staff of the estate, and the members of that committee."""
    return scope(qs, user)


# --- what they may do ------------------------------------------------------------------------------


def has_leader_powers(user):
    """Approve special-topic meetings and work plans, receive escalations, decide on any estate: the
    leader in charge, and administrators (who may do everything)."""
    return _active(user) and (user.is_superuser or user.role in (Role.LEADER, Role.ADMIN))


def managed_estates(user):
    """The estates whose meetings, records and issues `user` runs: every estate for administrators,
    else those where they are director or supervisor."""
    if not _active(user) or user.is_committee:
        return Estate.objects.none()
    if user.is_admin:
        return Estate.objects.all()
    return Estate.objects.filter(assignments__user=user, assignments__role__in=MANAGING_ROLES).distinct()


def manages_estate(user, estate):
    """May run the estate (`estate`: an Estate or its id): schedule meetings, change its committees
    and members, prepare records, triage its issues."""
    estate_id = getattr(estate, "pk", estate)
    return managed_estates(user).filter(pk=estate_id).exists()


def directs_estate(user, estate):
    """Is the estate's director (closing an issue by decision needs it), or an administrator."""
    if not _active(user) or user.is_committee:
        return False
    if user.is_admin:
        return True
    estate_id = getattr(estate, "pk", estate)
    return Estate.objects.filter(pk=estate_id, assignments__user=user, assignments__role=Role.DIRECTOR).exists()


def in_committee(user, committee):
    """Is an active member of the committee (`committee`: a Committee or its id)."""
    committee_id = getattr(committee, "pk", committee)
    return _active(user) and user.is_committee and visible_committees(user).filter(pk=committee_id).exists()


def visible_staff(user):
    """The company's staff `user` may see named (pickers, drill-downs by person): everyone for those who
    see every estate; for other staff, the team of the estates they see, the leaders (issues escalate to
    them) and themselves; nobody for a committee member (their pickers list the people responsible for
    their own issues)."""
    if not _active(user) or user.is_committee:
        return User.objects.none()
    staff = User.objects.exclude(role=Role.COMMITTEE)
    if user.sees_all_estates:
        return staff
    return staff.filter(
        Q(assignments__estate__in=visible_estates(user)) | Q(role=Role.LEADER) | Q(pk=user.pk)
    ).distinct()


def visible_estates_managed(user):
    """visible_estates(user), each annotated `managed`: whether the user manages it (managed_estates)."""
    return visible_estates(user).annotate(managed=Exists(managed_estates(user).filter(pk=OuterRef("pk"))))


# --- what the pages say about the viewer ------------------------------------------------------------


def sees_one_estate(user):
    """Sees the things of one estate at most, so an estate column or line tells them nothing. Department
    staff may see issues assigned to them in other estates (issues()), so never for them."""
    if not _active(user) or user.role == Role.DEPARTMENT:
        return False
    return visible_estates(user).values("pk")[:2].count() <= 1
