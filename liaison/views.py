import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import access, actions, health, reach, wechat
from .forms import AssignmentForm, CommitteeForm, EndTermForm, EstateForm, ExtensionForm, MemberForm, ReelectionForm
from .formsave import save_with_form
from .models import (
    Committee,
    CommitteeMember,
    Company,
    Department,
    Estate,
    Role,
    StaffAssignment,
    User,
    WeChatBinding,
)


def home_panels(request, now):
    """Each app contributes panels to the home page (settings.HOME_PANELS)."""
    panels = []
    for path in settings.HOME_PANELS:
        panel = import_string(path)(request, now)
        if panel:
            panels.append(panel)
    return panels


HOME_ESTATE_CARDS = 50


@login_required
def home(request):
    user = request.user
    now = timezone.now()
    panels = home_panels(request, now)
    # a panel may show the estate cards its own way (the assessment: each estate's traffic light)
    cards_panel = next((p for p in panels if p.get("estate_cards_template")), None)
    ctx = {"panels": panels, "cards_panel": cards_panel}
    if user.is_committee:
        ctx["committees"] = access.visible_committees(user).select_related("estate")
    else:
        estates = access.visible_estates(user).order_by("name", "pk")
        if cards_panel is None:
            ctx["estates"] = estates.prefetch_related("committees")[:HOME_ESTATE_CARDS]
        ctx["estate_count"] = estates.count()
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
            "can_direct": access.directs_estate(request.user, estate),
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
        estate = actions.create_estate(form, actor=request.user)
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
        actions.edit_estate(form, actor=request.user)
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
        actions.add_to_team(form, actor=request.user)
        messages.success(request, _("Team updated."))
        return redirect("estate_detail", estate.pk)
    return render(request, "liaison/form.html", {"form": form, "title": _("Add to the estate's team"), "back": estate})


@login_required
@require_POST
def assignment_remove(request, pk):
    a = get_object_or_404(StaffAssignment, pk=pk)
    access.get_visible(Estate.objects.all(), request.user, a.estate_id, estate="pk", committee=None)
    actions.remove_from_team(a, actor=request.user)
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
        c = actions.save_committee(form, actor=request.user, estate=estate)
        messages.success(request, _("Committee saved."))
        return redirect("committee_detail", c.pk)
    return render(request, "liaison/form.html", {"form": form, "title": _("New committee"), "back": estate})


@login_required
def committee_detail(request, pk):
    committee = access.get_visible(
        Committee.objects.select_related("estate"), request.user, pk, estate="estate", committee="pk"
    )
    members = committee.members.select_related("user")
    active = [m for m in members if m.is_active]
    can_manage = access.manages_estate(request.user, committee.estate)
    if can_manage:  # the office sees whether each member's last message reached them
        last = reach.last_messages([m.user for m in active if m.user_id])
        for m in active:
            m.last_message = last.get(m.user_id)
    return render(
        request,
        "liaison/committee_detail.html",
        {
            "committee": committee,
            "active": active,
            "past": [m for m in members if not m.is_active],
            "can_manage": can_manage,
            "can_direct": access.directs_estate(request.user, committee.estate),
            "term_events": committee.term_events.select_related("recorded_by"),
        },
    )


def _directed_committee(request, pk):
    committee = access.get_visible(Committee.objects.select_related("estate"), request.user, pk, committee="pk")
    if not access.directs_estate(request.user, committee.estate):
        raise PermissionDenied
    return committee


@login_required
def committee_reelect(request, pk):
    """The director records a re-election (date, method, result): the committee's next term starts."""
    committee = _directed_committee(request, pk)
    form = ReelectionForm(request.POST or None, committee=committee)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, _event = save_with_form(
            form,
            actions.record_reelection,
            committee,
            actor=request.user,
            held_on=d["held_on"],
            method=d["method"],
            result=d["result"],
            new_end=d["new_end"],
            now=timezone.now(),
        )
        if ok:
            messages.success(request, _("Re-election recorded: the new term has started."))
            return redirect("committee_detail", committee.pk)
    title = _("Record the re-election of %(committee)s") % {"committee": committee}
    return render(request, "liaison/form.html", {"form": form, "title": title, "back": committee})


@login_required
def committee_extend(request, pk):
    """The director records a delay of re-election voted by the committee (seed 002 第七条)."""
    committee = _directed_committee(request, pk)
    form = ExtensionForm(request.POST or None, committee=committee)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, _event = save_with_form(
            form,
            actions.extend_term,
            committee,
            actor=request.user,
            held_on=d["held_on"],
            result=d["result"],
            new_end=d["new_end"],
            now=timezone.now(),
        )
        if ok:
            messages.success(request, _("Term extension recorded."))
            return redirect("committee_detail", committee.pk)
    title = _("Extend the term of %(committee)s") % {"committee": committee}
    return render(request, "liaison/form.html", {"form": form, "title": title, "back": committee})


@login_required
def committee_edit(request, pk):
    committee = access.get_visible(Committee.objects.select_related("estate"), request.user, pk, committee="pk")
    _require_manage(request, committee.estate)
    form = CommitteeForm(request.POST or None, instance=committee, estate=committee.estate)
    if request.method == "POST" and form.is_valid():
        actions.save_committee(form, actor=request.user, estate=committee.estate)
        messages.success(request, _("Committee saved."))
        return redirect("committee_detail", committee.pk)
    return render(request, "liaison/form.html", {"form": form, "title": _("Edit committee"), "back": committee})


@login_required
def member_create(request, committee_pk):
    committee = access.get_visible(
        Committee.objects.select_related("estate"), request.user, committee_pk, committee="pk"
    )
    _require_manage(request, committee.estate)
    form = MemberForm(request.POST or None, committee=committee)
    if request.method == "POST" and form.is_valid():
        ok, _member = save_with_form(form, actions.save_member, form, actor=request.user, committee=committee)
        if ok:
            messages.success(request, _("Member saved."))
            return redirect("committee_detail", committee.pk)
    return render(request, "liaison/form.html", {"form": form, "title": _("New committee member"), "back": committee})


def _visible_member(request, pk):
    return access.get_visible(
        CommitteeMember.objects.select_related("committee__estate"),
        request.user,
        pk,
        estate="committee__estate",
        committee="committee",
    )


@login_required
def member_edit(request, pk):
    member = _visible_member(request, pk)
    committee = member.committee
    _require_manage(request, committee.estate)
    form = MemberForm(request.POST or None, instance=member, committee=committee)
    if request.method == "POST" and form.is_valid():
        ok, _member = save_with_form(form, actions.save_member, form, actor=request.user, committee=committee)
        if ok:
            messages.success(request, _("Member saved."))
            return redirect("committee_detail", committee.pk)
    return render(request, "liaison/form.html", {"form": form, "title": _("Edit committee member"), "back": committee})


@login_required
def member_end_term(request, pk):
    member = _visible_member(request, pk)
    _require_manage(request, member.committee.estate)
    if not member.is_active:
        messages.error(request, _("This member's term has already ended."))
        return redirect("committee_detail", member.committee_id)
    form = EndTermForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        ok, _member = save_with_form(
            form,
            actions.end_term,
            member,
            actor=request.user,
            ended_on=form.cleaned_data["ended_on"],
            reason=form.cleaned_data["end_reason"],
        )
        if ok:
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


@login_required
def account(request):
    """The signed-in person's own page: who the portal takes them for (a committee member by their seat)
    and where to change their password and messages. The seats come from the page's `viewer`."""
    return render(request, "liaison/account.html", account_context(request.user))


def account_context(user):
    assignments = [] if user.is_committee else user.assignments.select_related("estate").order_by("estate__name")
    binding = WeChatBinding.objects.filter(user=user).first()
    return {"assignments": assignments, "wechat_binding": binding, "wechat_enabled": wechat.enabled()}


# --- health ----------------------------------------------------------------------------------------


def healthz(request):
    report = health.report()
    status = 200 if report["ok"] else 503
    return HttpResponse(json.dumps(report, ensure_ascii=False), status=status, content_type="application/json")
