import dataclasses
import json
from html import escape

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import access, health, rawsql
from .forms import AssignmentForm, CommitteeForm, EndTermForm, EstateForm, MemberForm
from .links import object_url
from .models import (
    Committee,
    CommitteeMember,
    Company,
    Department,
    Estate,
    Role,
    StaffAssignment,
    User,
    audit,
)


@dataclasses.dataclass
class HomeEstate:
    """An estate as the home page shows it: its card, with its committees as (id, name)."""

    pk: int
    name: str
    district: str = ""
    street_office: str = ""
    managed: bool = False
    committees: list = dataclasses.field(default_factory=list)
    committee_kinds: set = dataclasses.field(default_factory=set)  # the types of committee it has


def _estates_with_committees(rows):
    """[HomeEstate] from (id, name, district, street office, managed, committee id, name, kind) rows."""
    estates = {}
    for pk, name, district, street_office, managed, committee_id, committee_name, committee_kind in rows:
        estate = estates.get(pk)
        if estate is None:
            estate = estates[pk] = HomeEstate(pk, name, district, street_office, bool(managed))
        if committee_id is not None:
            estate.committees.append((committee_id, committee_name))
            estate.committee_kinds.add(committee_kind)
    return list(estates.values())


_MANAGING = f"'{Role.DIRECTOR}', '{Role.SUPERVISOR}'"  # the roles of access.managed_estates
# access.visible_estates_managed(user) with each estate's committees, for staff who do not see every
# estate: their estates by name, whether they manage one (director or supervisor there: managed_estates)
_STAFF_ESTATES = f"""
SELECT e.id, e.name, e.district, e.street_office, a.managed, c.id, c.name, c.kind
FROM (
    SELECT estate_id, MAX(CASE WHEN role IN ({_MANAGING}) THEN 1 ELSE 0 END) AS managed
    FROM liaison_staffassignment WHERE user_id = %s GROUP BY estate_id
) a
JOIN liaison_estate e ON e.id = a.estate_id
LEFT JOIN liaison_committee c ON c.estate_id = e.id
ORDER BY e.name, e.id, c.kind, c.id
"""


class HomeScope:
    """What the home page's panels filter by, read once per request (`home_scope(request)`).

    The same rule as `access.scope()`, for the panels' hand-written SQL (liaison.rawsql): `where()`
    limits rows to what the user may see with the ids of their estates (or committees) read once,
    `managed_where()` to the estates they manage (`access.managed_estates`); `managed` lists those ids
    for staff who do not see every estate. Staff who do not see every estate: `estates` are theirs by
    name, with their committees, in one query.
    """

    def __init__(self, user):
        self.user = user
        self.active = user.is_authenticated and user.is_active
        self.everything = self.active and user.sees_all_estates
        self.estates = []  # [HomeEstate] (staff who do not see every estate)
        self.committees = []  # the visible committees (committee members)
        self.managed = []
        if not self.active:
            pass
        elif user.is_committee:
            self.committees = list(access.visible_committees(user).select_related("estate"))
        elif self.everything:
            pass  # managed_where() reads their estates as a subquery
        else:
            self.estates = _estates_with_committees(rawsql.select(_STAFF_ESTATES, [user.pk]))
            self.managed = [e.pk for e in self.estates if e.managed]
        self.estate_ids = [e.pk for e in self.estates]
        self.committee_ids = [c.pk for c in self.committees]

    def where(self, estate="estate_id", committee="committee_id"):
        """filter() for hand-written SQL (liaison.rawsql): (condition, params) on the columns named."""
        if not self.active:
            return rawsql.NOTHING
        if self.everything:
            return rawsql.EVERYTHING
        if self.user.is_committee:
            return rawsql.within(committee, self.committee_ids) if committee else rawsql.NOTHING
        return rawsql.within(estate, self.estate_ids)

    def managed_where(self, estate="estate_id"):
        """`estate__in=self.managed` for hand-written SQL: (condition, params)."""
        if not self.active or self.user.is_committee:
            return rawsql.NOTHING
        if not self.everything:
            return rawsql.within(estate, self.managed)
        if self.user.is_admin:
            return rawsql.EVERYTHING
        return (
            f"{estate} IN (SELECT estate_id FROM liaison_staffassignment WHERE user_id = %s AND role IN ({_MANAGING}))",
            [self.user.pk],
        )


def home_scope(request):
    """The request's HomeScope, read on first use and shared by the panels."""
    scope = getattr(request, "_home_scope", None)
    if scope is None or scope.user is not request.user:
        scope = request._home_scope = HomeScope(request.user)
    return scope


def home_panels(request, now):
    """Each app contributes panels to the home page (settings.HOME_PANELS)."""
    panels = []
    for path in settings.HOME_PANELS:
        panel = import_string(path)(request, now)
        if panel:
            panels.append(panel)
    return panels


HOME_ESTATE_CARDS = 50


_ALL_ESTATES = """
SELECT f.id, f.name, f.district, f.street_office, f.total, c.id, c.name
FROM (
    SELECT id, name, district, street_office, COUNT(*) OVER () AS total
    FROM liaison_estate ORDER BY name, id LIMIT %s
) f
LEFT JOIN liaison_committee c ON c.estate_id = f.id
ORDER BY f.name, f.id, c.kind, c.id
"""


def _all_estates(limit):
    """(the first `limit` estates by name with their committees, how many estates there are): one
    query, the number of estates counted alongside the first ones."""
    rows = rawsql.select(_ALL_ESTATES, [limit])
    estates = {}
    for pk, name, district, street_office, _total, committee_id, committee_name in rows:
        estate = estates.get(pk)
        if estate is None:
            estate = estates[pk] = HomeEstate(pk, name, district, street_office)
        if committee_id is not None:
            estate.committees.append((committee_id, committee_name))
    return list(estates.values()), rows[0][4] if rows else 0


_CARD = (
    '<div class="col"><div class="card h-100"><div class="card-body">'
    '<h3 class="h6"><a href="{}">{}</a></h3><div class="small muted">{} {}</div>'
    '<ul class="list-unstyled small mb-0">{}</ul></div></div></div>'
)


def _estate_cards(estates):
    """The estate cards' HTML, built here: the template took ~3 ms for a leader's 50 cards, format_html
    ~1.8 ms; every text goes through html.escape (what Django's escape() does)."""
    cards = []
    for e in estates:
        committees = "".join(
            f'<li><a href="{object_url("committee_detail", pk)}">{escape(name)}</a></li>' for pk, name in e.committees
        )
        url = object_url("estate_detail", e.pk)
        cards.append(_CARD.format(url, escape(e.name), escape(e.district), escape(e.street_office), committees))
    return mark_safe("\n".join(cards))


@login_required
def home(request):
    user = request.user
    now = timezone.now()
    scope = home_scope(request)
    ctx = {"panels": home_panels(request, now), "committees": scope.committees}
    if not user.is_committee:
        if scope.everything:
            estates, ctx["estate_count"] = _all_estates(HOME_ESTATE_CARDS)
        else:
            estates, ctx["estate_count"] = scope.estates[:HOME_ESTATE_CARDS], len(scope.estates)
        ctx["estate_cards"] = _estate_cards(estates)
    return render(request, "liaison/home.html", ctx)


# --- estates ---------------------------------------------------------------------------------------


@login_required
def estate_list(request):
    if request.user.is_committee:
        raise PermissionDenied
    estates = access.visible_estates(request.user).prefetch_related("committees")
    q = request.GET.get("q", "").strip()
    if q:
        estates = estates.filter(name__icontains=q)
    return render(request, "liaison/estate_list.html", {"estates": estates, "q": q})


@login_required
def estate_detail(request, pk):
    estate = access.get_visible(Estate.objects.all(), request.user, pk, estate="pk", committee=None)
    return render(
        request,
        "liaison/estate_detail.html",
        {
            "estate": estate,
            "committees": estate.committees.all(),
            "assignments": estate.assignments.select_related("user"),
            "can_manage": access.manages_estate(request.user, estate),
        },
    )


def _company(user):
    company = Company.objects.order_by("pk").first()
    if company is None:
        company = Company.objects.create(name=_("Property company"))
    return company


@login_required
def estate_create(request):
    if not request.user.is_admin:
        raise PermissionDenied
    form = EstateForm(request.POST or None, company=_company(request.user))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            estate = form.save()
            audit(estate, "created", actor=request.user)
            from meetings.cadence_defaults import install_default_rules

            install_default_rules(estate)
        messages.success(request, _("Estate saved."))
        return redirect("estate_detail", estate.pk)
    return render(request, "liaison/form.html", {"form": form, "title": _("New estate")})


@login_required
def estate_edit(request, pk):
    estate = access.get_visible(Estate.objects.all(), request.user, pk, estate="pk", committee=None)
    if not request.user.is_admin:
        raise PermissionDenied
    form = EstateForm(request.POST or None, instance=estate)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            audit(estate, "edited", actor=request.user, changes={f: form.cleaned_data[f] for f in form.changed_data})
        messages.success(request, _("Estate saved."))
        return redirect("estate_detail", estate.pk)
    return render(request, "liaison/form.html", {"form": form, "title": _("Edit estate"), "back": estate})


@login_required
def assignment_add(request, pk):
    estate = access.get_visible(Estate.objects.all(), request.user, pk, estate="pk", committee=None)
    if not request.user.is_admin:
        raise PermissionDenied
    form = AssignmentForm(request.POST or None, estate=estate)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            a = form.save()
            audit(estate, "team_added", actor=request.user, changes={"user": a.user, "role": a.role})
        messages.success(request, _("Team updated."))
        return redirect("estate_detail", estate.pk)
    return render(request, "liaison/form.html", {"form": form, "title": _("Add to the estate's team"), "back": estate})


@login_required
@require_POST
def assignment_remove(request, pk):
    a = get_object_or_404(StaffAssignment, pk=pk)
    access.get_visible(Estate.objects.all(), request.user, a.estate_id, estate="pk", committee=None)
    if not request.user.is_admin:
        raise PermissionDenied
    with transaction.atomic():
        audit(a.estate, "team_removed", actor=request.user, changes={"user": a.user, "role": a.role})
        a.delete()
    messages.success(request, _("Team updated."))
    return redirect("estate_detail", a.estate_id)


# --- committees and members ------------------------------------------------------------------------


def _managed_estate(request, pk):
    estate = access.get_visible(Estate.objects.all(), request.user, pk, estate="pk", committee=None)
    _require_manage(request, estate)
    return estate


def _require_manage(request, estate):
    """Seeing an estate's committee is not enough to change it: 403 for those who may only look."""
    if not access.manages_estate(request.user, estate):
        raise PermissionDenied


@login_required
def committee_create(request, estate_pk):
    estate = _managed_estate(request, estate_pk)
    form = CommitteeForm(request.POST or None, estate=estate)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            c = form.save()
            audit(c, "created", actor=request.user)
        messages.success(request, _("Committee saved."))
        return redirect("committee_detail", c.pk)
    return render(request, "liaison/form.html", {"form": form, "title": _("New committee"), "back": estate})


@login_required
def committee_detail(request, pk):
    committee = access.get_visible(
        Committee.objects.select_related("estate"), request.user, pk, estate="estate", committee="pk"
    )
    members = committee.members.select_related("user")
    return render(
        request,
        "liaison/committee_detail.html",
        {
            "committee": committee,
            "active": [m for m in members if m.is_active],
            "past": [m for m in members if not m.is_active],
            "can_manage": access.manages_estate(request.user, committee.estate),
        },
    )


@login_required
def committee_edit(request, pk):
    committee = access.get_visible(Committee.objects.select_related("estate"), request.user, pk, committee="pk")
    _require_manage(request, committee.estate)
    form = CommitteeForm(request.POST or None, instance=committee, estate=committee.estate)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            audit(committee, "edited", actor=request.user, changes={f: form.cleaned_data[f] for f in form.changed_data})
        messages.success(request, _("Committee saved."))
        return redirect("committee_detail", committee.pk)
    return render(request, "liaison/form.html", {"form": form, "title": _("Edit committee"), "back": committee})


def _save_member(request, form, action):
    try:
        with transaction.atomic():
            m = form.save()
            audit(
                m,
                action,
                actor=request.user,
                estate=m.committee.estate,
                changes={f: form.cleaned_data[f] for f in form.changed_data},
            )
    except IntegrityError:
        # a concurrent save won the race for the one chair seat
        form.add_error("role", _("The committee already has an active chair. End the current chair's term first."))
        return None
    return m


@login_required
def member_create(request, committee_pk):
    committee = access.get_visible(
        Committee.objects.select_related("estate"), request.user, committee_pk, committee="pk"
    )
    _require_manage(request, committee.estate)
    form = MemberForm(request.POST or None, committee=committee)
    if request.method == "POST" and form.is_valid() and _save_member(request, form, "member_added"):
        messages.success(request, _("Member saved."))
        return redirect("committee_detail", committee.pk)
    return render(request, "liaison/form.html", {"form": form, "title": _("New committee member"), "back": committee})


@login_required
def member_edit(request, pk):
    member = access.get_visible(
        CommitteeMember.objects.select_related("committee"),
        request.user,
        pk,
        estate="committee__estate",
        committee="committee",
    )
    _require_manage(request, member.committee.estate)
    form = MemberForm(request.POST or None, instance=member, committee=member.committee)
    if request.method == "POST" and form.is_valid() and _save_member(request, form, "member_edited"):
        messages.success(request, _("Member saved."))
        return redirect("committee_detail", member.committee_id)
    return render(
        request, "liaison/form.html", {"form": form, "title": _("Edit committee member"), "back": member.committee}
    )


@login_required
def member_end_term(request, pk):
    member = access.get_visible(
        CommitteeMember.objects.select_related("committee"),
        request.user,
        pk,
        estate="committee__estate",
        committee="committee",
    )
    _require_manage(request, member.committee.estate)
    if not member.is_active:
        messages.error(request, _("This member's term has already ended."))
        return redirect("committee_detail", member.committee_id)
    form = EndTermForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            member.ended_on = form.cleaned_data["ended_on"]
            member.end_reason = form.cleaned_data["end_reason"]
            member.save(update_fields=["ended_on", "end_reason"])
            audit(
                member,
                "term_ended",
                actor=request.user,
                estate=member.committee.estate,
                changes={"ended_on": member.ended_on, "reason": member.end_reason},
            )
        messages.success(request, _("The term has ended; the member stays in the committee's history."))
        return redirect("committee_detail", member.committee_id)
    return render(
        request,
        "liaison/form.html",
        {"form": form, "title": _("End the term of %(name)s") % {"name": member.name}, "back": member.committee},
    )


# --- people ----------------------------------------------------------------------------------------


@login_required
def staff_list(request):
    if request.user.is_committee:
        raise PermissionDenied
    departments = Department.objects.prefetch_related("user_set").select_related("head")
    staff = User.objects.exclude(role=Role.COMMITTEE).filter(is_active=True).select_related("department")
    staff = staff.prefetch_related("assignments__estate").order_by("role", "name")
    return render(request, "liaison/staff_list.html", {"departments": departments, "staff": staff})


# --- health ----------------------------------------------------------------------------------------


def healthz(request):
    report = health.report()
    status = 200 if report["ok"] else 503
    return HttpResponse(json.dumps(report, ensure_ascii=False), status=status, content_type="application/json")


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
