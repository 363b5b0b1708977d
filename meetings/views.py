"""Thin views: scope the objects (404 outside the user's estates), parse input, call actions, render."""

import calendar
import datetime
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison import access, clientip
from liaison.bounds import parse_id
from liaison.formsave import save_with_form
from liaison.models import Committee, Estate, Role, User
from liaison.uploads import attachment_response

from . import actions, approval_log, carry, ical, material_links, periods, rules, votes
from . import minutes_page as minutes_page_parts
from . import series as series_rule
from .cadence import due_next_by_estate
from .filters import MeetingFilter, ResolutionFilter
from .forms import (
    AgendaItemForm,
    ArrivalForm,
    CheckinForm,
    InviteForm,
    MaterialForm,
    MeetingForm,
    MinutesForm,
    PhotoForm,
    ReasonForm,
    ResolutionCloseForm,
    ResolutionEditForm,
    ResolutionFormSet,
    ResolutionNoteForm,
    SeriesForm,
    VoteRuleForm,
    WalkInForm,
)
from .models import (
    AgendaItem,
    Attendance,
    CadencePeriod,
    CalendarToken,
    Invitation,
    Material,
    Meeting,
    MeetingKind,
    MeetingSeries,
    Minutes,
    Photo,
    Resolution,
)
from .qr import qr_data_uri

S = Meeting.Status


def meeting_for(request, pk):
    """The meeting if the user may see it (actions.visible_meetings), else 404."""
    return access.get_visible(
        actions.visible_meetings(request.user).select_related("estate", "committee", "kind", "organizer"),
        request.user,
        pk,
    )


def _child(request, model, pk):
    """An object belonging to a meeting, found only through the meetings the user may see."""
    try:
        obj = model.objects.select_related("meeting").get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404
    meeting_for(request, obj.meeting_id)
    return obj


def _errors_to_messages(request, exc):
    for e in exc.messages:
        messages.error(request, e)


def _form_errors_to_messages(request, form):
    for errs in form.errors.values():
        for e in errs:
            messages.error(request, e)


def _require_manager(request, meeting):
    """Refused before the input is read: a form's errors are no answer to someone who may not ask."""
    if not access.manages_estate(request.user, meeting.estate):
        raise PermissionDenied


def _staff_for(estate):
    return User.objects.filter(is_active=True).filter(assignments__estate=estate) | User.objects.filter(
        is_active=True, role__in=[Role.LEADER]
    )


# --- lists and calendar ------------------------------------------------------------------------------


@login_required
def meeting_list(request):
    user = request.user
    now = timezone.now()
    filterset = MeetingFilter(
        request.GET,
        queryset=actions.visible_meetings(user).select_related("estate", "committee", "kind"),
        request=request,
    )
    qs = filterset.qs
    estate, committee = filterset.chosen("estate"), filterset.chosen("committee")
    today = periods.local_date(now)
    first = filterset.month_shown(now)
    last = periods.last_day(first.year, first.month)
    month_meetings = list(
        qs.filter(
            starts_at__gte=periods.start_of_day(first),
            starts_at__lt=periods.start_of_day(last + datetime.timedelta(days=1)),
        ).order_by("starts_at", "pk")
    )
    by_day = {}
    for m in month_meetings:
        by_day.setdefault(periods.local_date(m.starts_at), []).append(m)
    weeks = [
        [
            {"date": d, "in_month": d.month == first.month, "today": d == today, "meetings": by_day.get(d, [])}
            for d in week
        ]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]
    prev_y, prev_m = periods.add_months(first.year, first.month, -1)
    next_y, next_m = periods.add_months(first.year, first.month, 1)
    upcoming = qs.filter(rules.coming_up_q(now)).exclude(status=S.CANCELLED).order_by("starts_at", "pk")[:30]
    # started before now and ended (the start bound lets the (estate, starts_at) index serve it)
    recent = qs.filter(rules.past_q(now), starts_at__lt=now).order_by("-starts_at", "-pk")[:30]
    upcoming = list(upcoming)
    if user.is_committee:
        # each card says the member's own answer and offers to give it (one query for the list)
        mine = {i.meeting_id: i for i in Invitation.objects.filter(user=user, meeting__in=[m.pk for m in upcoming])}
        for m in upcoming:
            m.my_invitation = mine.get(m.pk)
    form = filterset.form
    keep = request.GET.copy()  # the filters the month links carry on
    keep.pop("month", None)
    return render(
        request,
        "meetings/list.html",
        {
            "form": form,
            # nothing to choose for a member of one committee; on a phone the choice folds behind a button
            "filters_shown": any(not f.is_hidden for f in form),
            "filters_active": int(bool(estate)) + int(bool(committee)),
            "filters_open": bool(estate or committee or form.errors),
            "now": now,
            "weeks": weeks,
            "first": first,
            "keep": keep.urlencode(),
            "prev_month": f"{prev_y}-{prev_m:02d}",
            "next_month": f"{next_y}-{next_m:02d}",
            "estate": estate,
            "committee": committee,
            "upcoming": upcoming,
            "recent": recent,
            "month_meetings": month_meetings,
            "can_create": access.manages_estate(user, estate) if estate else access.managed_estates(user).exists(),
            "today": today,
        },
    )


@login_required
def approvals(request):
    if not access.has_leader_powers(request.user):
        raise PermissionDenied
    pending = (
        actions.visible_meetings(request.user)
        .filter(status=S.AWAITING_APPROVAL)
        .select_related("estate", "committee", "kind", "organizer")
        .order_by("starts_at")
    )
    decided = (
        actions.visible_meetings(request.user)
        .filter(approved_at__isnull=False)
        .select_related("estate", "approver")
        .order_by("-approved_at")[:20]
    )
    return render(request, "meetings/approvals.html", {"pending": pending, "decided": decided})


@login_required
def cadence_status(request):
    if request.user.is_committee:
        raise PermissionDenied
    now = timezone.now()
    estates = access.visible_estates(request.user)
    if request.GET.get("estate"):
        chosen = parse_id(request.GET["estate"])
        estates = estates.filter(pk=chosen) if chosen is not None else estates.none()
    estates = list(estates[:50])
    due = due_next_by_estate(estates, now)  # a few queries, not two per rule and estate
    managed = set(access.managed_estates(request.user).values_list("pk", flat=True))
    rows = [{"estate": e, "rules": due[e.pk], "manage": e.pk in managed} for e in estates]
    history = (
        access.scope(CadencePeriod.objects.all(), request.user, committee=None)
        .filter(closed_at__isnull=False)
        .select_related("rule", "estate")
        .order_by("-period_end")[:50]
    )
    return render(request, "meetings/cadence.html", {"rows": rows, "history": history})


# --- create / edit -----------------------------------------------------------------------------------


def _overlap_warning(form, *, estate, committee, starts_at, ends_at, organizer, exclude_pk=None):
    names = rules.overlap_names(
        Meeting.objects,
        starts_at=starts_at,
        ends_at=ends_at,
        committee=committee,
        organizer=organizer,
        exclude_pk=exclude_pk,
    )
    if names and not form.cleaned_data.get("confirm_overlap"):
        form.add_error(
            "confirm_overlap",
            _(
                "This overlaps with %(meetings)s for the same committee or the same organiser. Tick the box to save anyway."
            )
            % {"meetings": names},
        )
        return True
    return False


def _prefill(query, estate, committees):
    """A new meeting started from a cadence row (?for_rule=: its committee, first kind, a title) or a
    calendar day (?date=: 09:00–11:00 that day); anything not understood is ignored."""
    initial = {}
    rule_id = query.get("for_rule", "")
    rule = estate.cadence_rules.filter(pk=parse_id(rule_id)).first() if parse_id(rule_id) is not None else None
    if rule is not None:
        initial["committee"] = committees.filter(kind=rule.committee_kind).first()
        initial["kind"] = rule.kinds.order_by("pk").first()
        initial["title"] = rule.name
    try:
        day = datetime.date.fromisoformat(query.get("date", ""))
    except ValueError:
        day = None
    if day is not None and datetime.date(2000, 1, 1) <= day <= datetime.date(2100, 12, 31):
        starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))
        initial["starts_at"], initial["ends_at"] = starts, starts + datetime.timedelta(hours=2)
    return initial


def _estate_to_schedule(request):
    """(estate, None) for a new meeting or series: the one in ?estate= (404 outside the user's, 403 if
    they do not run it), the only one they run, or (None, the page to pick one)."""
    user = request.user
    estate_id = request.GET.get("estate") or request.POST.get("estate")
    managed = access.managed_estates(user)
    if not managed.exists():
        raise PermissionDenied
    if not estate_id:
        if managed.count() == 1:
            return managed.first(), None
        rest = request.GET.copy()  # what the page was opened with (?past=1, ?date=…) is kept
        rest.pop("estate", None)
        return None, render(request, "meetings/pick_estate.html", {"estates": managed, "rest": rest.urlencode()})
    estate = access.get_visible(Estate.objects.all(), user, estate_id, estate="pk", committee=None)
    if not access.manages_estate(user, estate):
        raise PermissionDenied
    return estate, None


@login_required
def meeting_create(request):
    user = request.user
    estate, pick = _estate_to_schedule(request)
    if pick is not None:
        return pick
    committees = estate.committees.all()
    initial = {}
    if request.GET.get("committee"):
        chosen = parse_id(request.GET["committee"])
        initial["committee"] = committees.filter(pk=chosen).first() if chosen is not None else None
    if request.GET.get("kind"):
        initial["kind"] = parse_id(request.GET["kind"])
    initial.update(_prefill(request.GET, estate, committees))
    past = request.GET.get("past") == "1"
    form = MeetingForm(request.POST or None, estate=estate, committees=committees, initial=initial, past=past)
    if request.method == "POST" and form.is_valid() and past:
        d = form.cleaned_data
        ok, meeting = save_with_form(
            form,
            actions.record_past_meeting,
            estate=estate,
            committee=d["committee"],
            kind=d["kind"],
            title=d["title"],
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            place=d["place"],
            notes=d["notes"],
            actor=user,
            now=timezone.now(),
        )
        if ok:
            messages.success(
                request,
                _("Recorded as entered afterwards. Tick who attended on the sign-in sheet, then write the minutes."),
            )
            return redirect("meetings:signin", meeting.pk)
    elif request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        now = timezone.now()
        if not _overlap_warning(
            form,
            estate=estate,
            committee=d["committee"],
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            organizer=user,
        ):
            ok, meeting = save_with_form(
                form,
                actions.create_meeting,
                estate=estate,
                committee=d["committee"],
                kind=d["kind"],
                title=d["title"],
                starts_at=d["starts_at"],
                ends_at=d["ends_at"],
                place=d["place"],
                notes=d["notes"],
                override_reason=d["override_reason"],
                actor=user,
                now=now,
            )
            if ok:
                messages.success(request, _("Meeting saved as a draft. Add the agenda and materials, then send it."))
                return redirect(meeting)
    title = _("Record a meeting that has taken place") if past else _("New meeting")
    form.hide_unneeded()
    return render(request, "meetings/meeting_form.html", {"form": form, "estate": estate, "title": title, "past": past})


@login_required
def meeting_edit(request, pk):
    meeting = meeting_for(request, pk)
    _require_manager(request, meeting)
    try:
        actions.require_editable(meeting)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
        return redirect(meeting)
    initial = {
        "committee": meeting.committee,
        "kind": meeting.kind,
        "title": meeting.title,
        "starts_at": timezone.localtime(meeting.starts_at),
        "ends_at": timezone.localtime(meeting.ends_at),
        "place": meeting.place,
        "notes": meeting.notes,
        "override_reason": meeting.notice_override_reason,
    }
    form = MeetingForm(
        request.POST or None,
        estate=meeting.estate,
        committees=meeting.estate.committees.all(),
        editing=meeting,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if not _overlap_warning(
            form,
            estate=meeting.estate,
            committee=d["committee"],
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            organizer=meeting.organizer,
            exclude_pk=meeting.pk,
        ):
            ok, _meeting_saved = save_with_form(
                form,
                actions.update_meeting,
                meeting,
                version=d.get("version"),
                actor=request.user,
                now=timezone.now(),
                reason=d.get("reason", ""),
                override_reason=d["override_reason"],
                committee=d["committee"],
                kind=d["kind"],
                title=d["title"],
                starts_at=d["starts_at"],
                ends_at=d["ends_at"],
                place=d["place"],
                notes=d["notes"],
            )
            if ok:
                messages.success(request, _("Meeting updated."))
                return redirect(meeting)
            meeting.refresh_from_db()  # the page shows what is saved now next to the user's input
    form.hide_unneeded()
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "estate": meeting.estate, "meeting": meeting, "title": _("Edit meeting")},
    )


# --- detail and transitions --------------------------------------------------------------------------


@login_required
def meeting_detail(request, pk):
    meeting = meeting_for(request, pk)
    user = request.user
    manage = access.manages_estate(user, meeting.estate)
    my_invitation = meeting.invitations.filter(user=user).first()
    approve = access.has_leader_powers(user) and meeting.status == S.AWAITING_APPROVAL
    ctx = {
        "meeting": meeting,
        "manage": manage,
        "approve": approve,
        "changes_told": list(approval_log.changes_told(meeting, user)) if approve else [],
        "approval_sends": actions.approval_sends(),
        "agenda": meeting.agenda_items.all(),
        "carried": carry.shown(meeting, timezone.now()),
        "materials": meeting.materials.all(),
        "photos": meeting.photos.all(),
        "invitations": meeting.invitations.select_related("user"),
        "dispatches": meeting.dispatches.all() if not user.is_committee else [],
        "changes": meeting.changes.select_related("changed_by"),
        "attendances": meeting.attendances.all(),
        "quorum": votes.quorum(meeting, timezone.now()) if meeting.is_held else None,
        "minutes": getattr(meeting, "minutes", None),
        "resolutions": meeting.resolutions.all(),
        "my_invitation": my_invitation,
        "notice_problem": rules.notice_problem(
            kind=meeting.kind, committee_kind=meeting.committee.kind, starts_at=meeting.starts_at, now=timezone.now()
        )
        if meeting.status in (S.DRAFT, S.AWAITING_APPROVAL) and not meeting.sent_at
        else None,
        "material_form": MaterialForm(),
        "photo_form": PhotoForm(),
        "invite_form": InviteForm(staff=_staff_for(meeting.estate).distinct()) if manage else None,
        "issues": list(meeting.issues.all()) if hasattr(meeting, "issues") else [],
        "now": timezone.now(),
    }
    if user.is_committee and ctx["minutes"] is not None and not ctx["minutes"].is_final:
        ctx["minutes"] = None
        ctx["resolutions"] = []
    return render(request, "meetings/detail.html", ctx)


def _transition(request, pk, fn, ok_message, **kwargs):
    meeting = meeting_for(request, pk)
    try:
        fn(meeting, actor=request.user, now=timezone.now(), **kwargs)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, ok_message)
    return redirect(meeting)


@login_required
@require_POST
def meeting_submit(request, pk):
    return _transition(request, pk, actions.submit_for_approval, _("Sent to the leader in charge for approval."))


@login_required
@require_POST
def meeting_withdraw(request, pk):
    return _transition(request, pk, actions.withdraw_submission, _("Taken back from approval: it is a draft again."))


@login_required
@require_POST
def meeting_send(request, pk):
    return _transition(
        request,
        pk,
        actions.send_meeting,
        _("The notice, agenda and materials have been sent."),
        override_reason=request.POST.get("override_reason", ""),
    )


@login_required
@require_POST
def meeting_approve(request, pk):
    return _transition(
        request,
        pk,
        actions.approve_meeting,
        _("Approved. The meeting has been sent to the committee."),
        instruction=request.POST.get("instruction", ""),
        override_reason=request.POST.get("override_reason", ""),
    )


@login_required
@require_POST
def meeting_reject(request, pk):
    return _transition(
        request,
        pk,
        actions.reject_meeting,
        _("Returned to the director with your comment."),
        comment=request.POST.get("comment", ""),
    )


@login_required
@require_POST
def meeting_cancel(request, pk):
    return _transition(
        request, pk, actions.cancel_meeting, _("Meeting cancelled."), reason=request.POST.get("reason", "")
    )


@login_required
@require_POST
def invitation_respond(request, pk):
    inv = _child(request, Invitation, pk)
    try:
        actions.respond(
            inv,
            user=request.user,
            response=request.POST.get("response", ""),
            note=request.POST.get("note", ""),
            now=timezone.now(),
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("Your answer has been recorded."))
    back = request.POST.get("next")
    return redirect(back if back in ("/", reverse("meetings:list")) else inv.meeting)


# --- agenda, materials, invitees ---------------------------------------------------------------------


def _agenda_closed(request, meeting):
    """Whether the agenda form is refused (actions.require_agenda_open), said as a message."""
    _require_manager(request, meeting)
    try:
        actions.require_agenda_open(meeting)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
        return True
    return False


@login_required
def agenda_add(request, pk):
    meeting = meeting_for(request, pk)
    if _agenda_closed(request, meeting):
        return redirect(meeting)
    form = AgendaItemForm(request.POST or None, initial={"order": meeting.agenda_items.count() + 1})
    if request.method == "POST" and form.is_valid():
        ok, _item = save_with_form(
            form, actions.add_agenda_item, meeting, actor=request.user, now=timezone.now(), **form.cleaned_data
        )
        if ok:
            messages.success(request, _("Agenda item added."))
            return redirect(meeting)
    return render(request, "meetings/agenda_form.html", {"form": form, "meeting": meeting})


@login_required
def agenda_edit(request, pk):
    item = _child(request, AgendaItem, pk)
    meeting = item.meeting
    if _agenda_closed(request, meeting):
        return redirect(meeting)
    form = AgendaItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        ok, _item = save_with_form(
            form, actions.update_agenda_item, item, actor=request.user, now=timezone.now(), **form.cleaned_data
        )
        if ok:
            messages.success(request, _("Agenda item saved."))
            return redirect(meeting)
    return render(request, "meetings/agenda_form.html", {"form": form, "meeting": meeting, "item": item})


def _run(request, redirect_to, fn, *args, ok_message, **kwargs):
    """Call an action without a form of its own: its refusal or success as a message."""
    try:
        fn(*args, actor=request.user, now=timezone.now(), **kwargs)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, ok_message)
    return redirect(redirect_to)


@login_required
@require_POST
def agenda_delete(request, pk):
    item = _child(request, AgendaItem, pk)
    return _run(request, item.meeting, actions.delete_agenda_item, item, ok_message=_("Agenda item removed."))


@login_required
@require_POST
def material_upload(request, pk):
    meeting = meeting_for(request, pk)
    _require_manager(request, meeting)
    form = MaterialForm(request.POST, request.FILES)
    if not form.is_valid():
        for e in form.errors.get("file", []):
            messages.error(request, e)
        return redirect(meeting)
    return _run(
        request,
        meeting,
        actions.upload_material,
        meeting,
        file=form.cleaned_data["file"],
        ok_message=_("Material uploaded."),
    )


@login_required
def material_download(request, pk):
    mat = _child(request, Material, pk)
    return attachment_response(mat.file, mat.original_name)


def material_by_link(request, token):
    """A material from the signed link in the secretariat's e-mail: no login (meetings.material_links)."""
    mat = material_links.material_for(token)
    if mat is None:
        return render(request, "meetings/material_link_gone.html", {"days": material_links.link_days()}, status=404)
    return attachment_response(mat.file, mat.original_name)


@login_required
@require_POST
def material_delete(request, pk):
    mat = _child(request, Material, pk)
    return _run(request, mat.meeting, actions.delete_material, mat, ok_message=_("Material removed."))


@login_required
@require_POST
def photo_upload(request, pk):
    meeting = meeting_for(request, pk)
    _require_manager(request, meeting)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors_to_messages(request, form)
        return redirect(meeting)
    return _run(request, meeting, actions.upload_photo, meeting, ok_message=_("Photo added."), **form.cleaned_data)


@login_required
def photo_download(request, pk):
    photo = _child(request, Photo, pk)
    return attachment_response(photo.image, photo.original_name)


@login_required
@require_POST
def invite_add(request, pk):
    meeting = meeting_for(request, pk)
    _require_manager(request, meeting)
    form = InviteForm(request.POST, staff=_staff_for(meeting.estate).distinct())
    if not form.is_valid():
        _form_errors_to_messages(request, form)
        return redirect(meeting)
    return _run(request, meeting, actions.invite, meeting, ok_message=_("Invitee added."), **form.cleaned_data)


@login_required
@require_POST
def invite_remove(request, pk):
    inv = _child(request, Invitation, pk)
    return _run(request, inv.meeting, actions.remove_invitation, inv, ok_message=_("Invitee removed."))


# --- sign-in (AM-02-R02) -----------------------------------------------------------------------------


@login_required
def signin(request, pk):
    meeting = meeting_for(request, pk)
    _require_manager(request, meeting)
    return _signin_page(request, meeting)


def _signin_page(request, meeting, walkin_form=None, status=200):
    present = {a.invitation_id: a for a in meeting.attendances.all() if a.invitation_id}
    rows = [{"inv": inv, "att": present.get(inv.pk)} for inv in meeting.invitations.all()]
    all_present = all(row["att"] for row in rows)
    checkin_url = request.build_absolute_uri(f"/meetings/checkin/{meeting.checkin_token}/")
    return render(
        request,
        "meetings/signin.html",
        {
            "meeting": meeting,
            "rows": rows,
            "all_present": all_present,
            "walk_ins": meeting.attendances.filter(invitation__isnull=True),
            "walkin_form": walkin_form or WalkInForm(),
            "qr": qr_data_uri(checkin_url),
            "checkin_url": checkin_url,
            "checkin_open": rules.checkin_open(meeting, timezone.now()),
            "window": rules.checkin_window(meeting),
        },
        status=status,
    )


@login_required
@require_POST
def signin_tick(request, pk, inv_pk):
    meeting = meeting_for(request, pk)
    try:
        inv = meeting.invitations.get(pk=inv_pk)
    except Invitation.DoesNotExist:
        raise Http404
    arrived = ArrivalForm(request.POST)
    try:
        if not arrived.is_valid():
            raise ValidationError(arrived.errors["arrived"])
        att = actions.sign_in_invitee(
            meeting, inv, actor=request.user, now=timezone.now(), arrived=arrived.cleaned_data["arrived"]
        )
    except ValidationError as exc:
        if _in_place(request):
            return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
        _errors_to_messages(request, exc)
    else:
        if _in_place(request):
            return _signin_row(request, meeting, inv, att)
    return redirect("meetings:signin", meeting.pk)


def _in_place(request):
    """The sign-in sheet's script ticks and undoes without reloading (static/meetings/signin.js)."""
    return request.headers.get("X-Requested-With") == "fetch"


def _signin_row(request, meeting, invitation, attendance):
    """One row of the sign-in sheet, for the script to put in place; says whether the meeting is held."""
    response = render(
        request,
        "meetings/_signin_row.html",
        {"meeting": meeting, "row": {"inv": invitation, "att": attendance}},
    )
    response["X-Meeting-Held"] = (
        "1" if Meeting.objects.filter(pk=meeting.pk, attendance_recorded_at__isnull=False).exists() else "0"
    )
    return response


@login_required
@require_POST
def signin_all(request, pk):
    meeting = meeting_for(request, pk)
    try:
        added = actions.sign_in_all(meeting, actor=request.user, now=timezone.now())
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("%(n)s signed in.") % {"n": added})
    return redirect("meetings:signin", meeting.pk)


@login_required
@require_POST
def signin_walkin(request, pk):
    meeting = meeting_for(request, pk)
    form = WalkInForm(request.POST)
    if form.is_valid():
        saved, _att = save_with_form(
            form, actions.add_walk_in, meeting, actor=request.user, now=timezone.now(), **form.cleaned_data
        )
        if saved:
            messages.success(request, _("Walk-in attendee added."))
            return redirect("meetings:signin", meeting.pk)
    _require_manager(request, meeting)
    # the typed name, unit and time stay in the form, with the message next to its field
    return _signin_page(request, meeting, walkin_form=form, status=400)


@login_required
@require_POST
def attendance_remove(request, pk):
    att = _child(request, Attendance, pk)
    invitation = att.invitation
    try:
        actions.remove_attendance(att, actor=request.user, now=timezone.now())
    except ValidationError as exc:
        if _in_place(request):
            return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
        _errors_to_messages(request, exc)
    else:
        if _in_place(request):
            if invitation is None:  # a walk-in's line is gone from the sheet
                return HttpResponse("")
            return _signin_row(request, att.meeting, invitation, None)
    return redirect("meetings:signin", att.meeting_id)


def checkin(request, token):
    """Public self sign-in page reached by the QR code: name + mobile checked against the invitations."""
    meeting = Meeting.objects.filter(checkin_token=token).select_related("estate", "committee").first()
    if meeting is None or not secrets.compare_digest(meeting.checkin_token, token):
        raise Http404
    now = timezone.now()
    form = CheckinForm(request.POST or None)
    done = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            done = actions.qr_sign_in(meeting, now=now, client=clientip.client_ip(request), **form.cleaned_data)
        except ValidationError as exc:
            errors = exc.error_dict.get("__all__", []) if hasattr(exc, "error_dict") else exc.error_list
            status = 429 if any(e.code == "rate_limited" for e in errors) else 200
            for e in exc.messages:
                form.add_error(None, e)
    return render(
        request,
        "meetings/checkin.html",
        {"meeting": meeting, "form": form, "done": done, "open": rules.checkin_open(meeting, now)},
        status=status,
    )


# --- minutes (AM-02-R03) ------------------------------------------------------------------------------


@login_required
def minutes_edit(request, pk):
    """The minutes page, one form filled top to bottom: the minutes, each agenda item's discussion, new
    resolutions and what other apps add (issues raised, meetings.minutes_page). Saved together or, on
    any error, shown again exactly as typed with the error next to its field."""
    meeting = meeting_for(request, pk)
    user = request.user
    minutes = getattr(meeting, "minutes", None)
    if not actions.can_write_minutes(user, meeting):
        if minutes is not None and minutes.is_final:
            return redirect(meeting)
        raise PermissionDenied
    if not meeting.is_held:
        messages.error(request, _("Record the attendance first: minutes are written for a meeting that took place."))
        return redirect(meeting)
    data = request.POST if request.method == "POST" else None
    form = _minutes_form(request, meeting, data)
    resolution_formset = _resolution_formset(meeting, data)
    parts = [(part, part.formset(meeting, data, user)) for part in minutes_page_parts.PARTS]
    if data is not None:
        valid = [form.is_valid(), _rows_valid(resolution_formset), *(_rows_valid(fs) for _p, fs in parts)]
        if all(valid):
            d = form.cleaned_data
            now = timezone.now()
            ok, _saved = save_with_form(
                form,
                actions.save_minutes_page,
                meeting,
                actor=user,
                now=now,
                minutes={
                    "version": d.get("version"),
                    "host_name": d["host_name"],
                    "recorder_name": d["recorder_name"],
                    "host": minutes.host if minutes else meeting.organizer,
                    "recorder": minutes.recorder if minutes and minutes.recorder_id else user,
                    "summary": d["summary"],
                    "discussions": form.discussions(),
                },
                resolutions=[f.cleaned_data for f in resolution_formset.forms if f.has_changed()],
                then=[step for part, fs in parts for step in part.steps(fs, meeting, user, now)],
            )
            if ok:
                messages.success(request, _("Minutes saved."))
                return redirect("meetings:minutes", meeting.pk)
    return minutes_page(request, meeting, form=form, resolution_formset=resolution_formset, parts=parts)


def _rows_valid(formset):
    """Rows not posted (unbound) add nothing and are no error."""
    return formset.is_valid() if formset.is_bound else True


def _resolution_formset(meeting, data=None):
    """New resolutions' rows. A POST without them (the API, an older page) adds none."""
    kwargs = {"meeting": meeting, "staff": _staff_for(meeting.estate).distinct()}
    if data is not None and "resolution-TOTAL_FORMS" not in data:
        data = None
    return ResolutionFormSet(data, prefix="resolution", form_kwargs=kwargs)


def _minutes_form(request, meeting, data=None):
    minutes = getattr(meeting, "minutes", None)
    initial = {
        "host_name": minutes.host_name if minutes else (meeting.organizer.display_name if meeting.organizer else ""),
        "recorder_name": minutes.recorder_name if minutes else request.user.display_name,
        "summary": minutes.summary if minutes else "",
        "version": minutes.version if minutes else 0,
    }
    return MinutesForm(data, items=meeting.agenda_items.all(), initial=initial)


def minutes_page(request, meeting, *, form=None, resolution_formset=None, parts=None):
    """The minutes page; forms given bound (with their errors) are shown as the user filled them in."""
    minutes = getattr(meeting, "minutes", None)
    if form is None:
        form = _minutes_form(request, meeting)
    if resolution_formset is None:
        resolution_formset = _resolution_formset(meeting)
    if parts is None:
        parts = [(part, part.formset(meeting, None, request.user)) for part in minutes_page_parts.PARTS]
    saved = None
    if getattr(form, "stale", False):
        # someone else saved the minutes meanwhile: show their version next to the user's text
        minutes = Minutes.objects.filter(meeting=meeting).first()
        saved = {"minutes": minutes, "agenda": meeting.agenda_items.all()}
    bound = form.is_bound
    return render(
        request,
        "meetings/minutes.html",
        {
            "meeting": meeting,
            "minutes": minutes,
            "form": form,
            "saved": saved,
            "resolution_formset": resolution_formset,
            "parts": parts,
            "has_errors": bound
            and (bool(form.errors) or not all(_rows_valid(fs) for fs in [resolution_formset, *(f for _p, f in parts)])),
            "resolutions": meeting.resolutions.select_related("owner", "agenda_item"),
            "attendances": meeting.attendances.all(),
            "quorum": votes.quorum(meeting, timezone.now()),
            "issues": list(meeting.issues.all()) if hasattr(meeting, "issues") else [],
            "now": timezone.now(),
        },
        status=400 if bound else 200,
    )


# --- the resolution register (seed 004 篇3 七.6–8) ------------------------------------------------------


def resolution_for(request, pk):
    """The resolution if the user may see it (liaison.access.resolutions), else 404."""
    qs = Resolution.objects.visible_to(request.user).select_related("meeting", "estate", "committee", "owner")
    try:
        return qs.get(pk=pk)
    except (Resolution.DoesNotExist, ValueError, TypeError):
        raise Http404


@login_required
def resolution_register(request):
    """Every resolution the user may see, across meetings: filters by estate, committee, status, overdue."""
    now = timezone.now()
    filterset = ResolutionFilter(
        request.GET,
        queryset=Resolution.objects.visible_to(request.user).select_related("meeting", "estate", "committee"),
        request=request,
        now=now,
    )
    rows = filterset.qs.order_by("status", "due_date", "pk")
    paginator = Paginator(rows, 50)
    page = paginator.get_page(request.GET.get("page"))
    keep = request.GET.copy()
    keep.pop("page", None)
    return render(
        request,
        "meetings/register.html",
        {
            "form": filterset.form,
            "page": page,
            "rows": page.object_list,
            "now": now,
            "query": keep.urlencode(),
            "filters_open": bool(filterset.form.errors),
        },
    )


def _resolution_page(request, r, *, note_form=None, close_form=None, edit_form=None, status=200):
    follow = actions.can_follow_resolution(request.user, r)
    manage = access.manages_estate(request.user, r.meeting.estate)
    if follow and r.is_open:
        note_form = note_form or ResolutionNoteForm(initial={"version": r.version})
        close_form = close_form or ResolutionCloseForm(initial={"version": r.version})
    if manage and r.is_open:
        edit_form = edit_form or ResolutionEditForm(
            resolution=r,
            staff=_staff_for(r.meeting.estate).distinct(),
            initial={
                "owner": r.owner_id,
                "owner_name": "" if r.owner_id else r.owner_name,
                "action": r.action,
                "due_date": r.due_date,
                "version": r.version,
            },
        )
    return render(
        request,
        "meetings/resolution.html",
        {
            "r": r,
            "notes": r.notes.all(),
            "events": r.events.filter(skipped=False),
            "now": timezone.now(),
            "note_form": note_form if follow and r.is_open else None,
            "close_form": close_form if follow and r.is_open else None,
            "edit_form": edit_form if manage and r.is_open else None,
        },
        status=status,
    )


@login_required
def resolution_detail(request, pk):
    return _resolution_page(request, resolution_for(request, pk))


@login_required
@require_POST
def resolution_note(request, pk):
    r = resolution_for(request, pk)
    if not actions.can_follow_resolution(request.user, r):
        raise PermissionDenied
    form = ResolutionNoteForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        ok, _n = save_with_form(
            form,
            actions.add_resolution_note,
            r,
            actor=request.user,
            now=timezone.now(),
            text=d["text"],
            status=d["status"],
            version=d["version"],
        )
        if ok:
            messages.success(request, _("Progress recorded."))
            return redirect(r)
    return _resolution_page(request, r, note_form=form, status=400)


@login_required
@require_POST
def resolution_edit(request, pk):
    r = resolution_for(request, pk)
    if not access.manages_estate(request.user, r.meeting.estate):
        raise PermissionDenied
    form = ResolutionEditForm(request.POST, resolution=r, staff=_staff_for(r.meeting.estate).distinct())
    if form.is_valid():
        d = form.cleaned_data
        ok, _n = save_with_form(
            form,
            actions.update_resolution,
            r,
            actor=request.user,
            now=timezone.now(),
            owner=d["owner"],
            owner_name=d["owner_name"],
            action=d["action"],
            due_date=d["due_date"],
            version=d["version"],
        )
        if ok:
            messages.success(request, _("Resolution updated."))
            return redirect(r)
    return _resolution_page(request, r, edit_form=form, status=400)


@login_required
@require_POST
def resolution_done(request, pk):
    r = resolution_for(request, pk)
    if not actions.can_follow_resolution(request.user, r):
        raise PermissionDenied
    form = ResolutionCloseForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        ok, _n = save_with_form(
            form,
            actions.complete_resolution,
            r,
            actor=request.user,
            now=timezone.now(),
            note=d["note"],
            version=d["version"],
        )
        if ok:
            messages.success(request, _("Resolution closed."))
            return redirect(r)
    return _resolution_page(request, r, close_form=form, status=400)


@login_required
@require_POST
def minutes_finalise(request, pk):
    meeting = meeting_for(request, pk)
    try:
        actions.finalise_minutes(
            meeting,
            actor=request.user,
            now=timezone.now(),
            no_resolution_reason=request.POST.get("no_resolution_reason", ""),
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
        return redirect("meetings:minutes", meeting.pk)
    messages.success(request, _("Minutes finalised and distributed to the attendees and those concerned."))
    return redirect(meeting)


# --- calendar feed -----------------------------------------------------------------------------------


@login_required
def calendar_page(request):
    token, _created = CalendarToken.objects.get_or_create(user=request.user)
    if request.method == "POST":
        token.token = secrets.token_urlsafe(24)
        token.created_at = timezone.now()
        token.save()
        messages.success(request, _("A new calendar link was made; the old one no longer works."))
        return redirect("meetings:calendar")
    url = request.build_absolute_uri(f"/meetings/calendar/{token.token}.ics")
    return render(request, "meetings/calendar.html", {"feed_url": url})


def calendar_feed(request, token):
    ct = CalendarToken.objects.filter(token=token).select_related("user").first()
    if ct is None or not ct.user.is_active or not secrets.compare_digest(ct.token, token):
        raise Http404
    body = ical.feed_for(ct.user, timezone.now(), site=request.build_absolute_uri("/").rstrip("/"))
    resp = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    resp["Content-Disposition"] = 'inline; filename="meetings.ics"'
    resp["Cache-Control"] = "private, max-age=300"
    return resp


# --- recurring meetings ---------------------------------------------------------------------------------


def _made_message(request, made, too_soon):
    if made:
        messages.success(
            request,
            _("%(n)s draft meetings made up to %(last)s; each is approved and sent like any meeting.")
            % {"n": len(made), "last": date_format(timezone.localtime(made[-1].starts_at), "DATE_FORMAT")},
        )
    if too_soon:
        messages.warning(
            request,
            _("Not made, too near for the notice rule: %(days)s. Schedule them one by one if they are still held.")
            % {"days": "、".join(date_format(d, "MONTH_DAY_FORMAT") for d in too_soon)},
        )


@login_required
def series_create(request):
    user = request.user
    estate, pick = _estate_to_schedule(request)
    if pick is not None:
        return pick
    committees = estate.committees.all()
    form = SeriesForm(request.POST or None, estate=estate, committees=committees)
    if request.method == "POST" and form.is_valid():
        ok, result = save_with_form(
            form, actions.create_series, estate=estate, actor=user, now=timezone.now(), **form.series_fields()
        )
        if ok:
            series, made, too_soon = result
            _made_message(request, made, too_soon)
            return redirect(series)
    return render(request, "meetings/series_form.html", {"form": form, "estate": estate})


def _series_for(request, pk):
    series = access.get_visible(
        MeetingSeries.objects.select_related("estate", "committee", "kind"), request.user, pk, committee=None
    )
    if not access.manages_estate(request.user, series.estate):
        raise Http404
    return series


@login_required
def series_detail(request, pk):
    series = _series_for(request, pk)
    form = SeriesForm(
        request.POST or None, estate=series.estate, committees=series.estate.committees.all(), editing=series
    )
    if request.method == "POST" and form.is_valid():
        ok, result = save_with_form(
            form,
            actions.change_series,
            series,
            actor=request.user,
            now=timezone.now(),
            version=form.cleaned_data.get("version"),
            **form.series_fields(),
        )
        if ok:
            _series, kept = result
            messages.success(request, _("The rest of the series is changed."))
            if kept:
                messages.warning(
                    request,
                    _("Already sent or with the leader, not changed: %(meetings)s. Move them one by one.")
                    % {
                        "meetings": "、".join(
                            date_format(timezone.localtime(m.starts_at), "MONTH_DAY_FORMAT") for m in kept
                        )
                    },
                )
            return redirect(series)
        series.refresh_from_db()
    return _series_page(request, series, form=form, cancel_form=ReasonForm())


def _series_page(request, series, *, form, cancel_form, status=200):
    return render(
        request,
        "meetings/series.html",
        {
            "series": series,
            "rule_text": series_rule.describe(series),
            "meetings": series.meetings.select_related("committee").order_by("starts_at"),
            "form": form,
            "cancel_form": cancel_form,
            "now": timezone.now(),
        },
        status=status,
    )


@login_required
@require_POST
def series_cancel(request, pk):
    series = _series_for(request, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        ok, result = save_with_form(
            form,
            actions.cancel_series,
            series,
            actor=request.user,
            now=timezone.now(),
            reason=form.cleaned_data["reason"],
        )
        if ok:
            _series, cancelled = result
            messages.success(
                request,
                _("Series cancelled: %(n)s meetings still to come were cancelled.") % {"n": len(cancelled)},
            )
            return redirect(series)
    edit = SeriesForm(estate=series.estate, committees=series.estate.committees.all(), editing=series)
    return _series_page(request, series, form=edit, cancel_form=form, status=400)


# --- a committee's quorum and majority (seed 002 第六条; a 业委会's rules of procedure) ------------------


@login_required
def vote_rules(request, pk):
    """Per kind of meeting held with the committee: the quorum and majority in force (the kind's default or
    the committee's own), and the form the office director sets the committee's own with."""
    committee = access.get_visible(Committee.objects.select_related("estate"), request.user, pk, committee="pk")
    can_direct = access.directs_estate(request.user, committee.estate)
    kinds = MeetingKind.objects.filter(active=True)
    kinds = kinds.filter(pk__in=[k.pk for k in kinds if k.allowed_for(committee.kind)])
    form = VoteRuleForm(request.POST or None, kinds=kinds)
    if request.method == "POST":
        if not can_direct:
            raise PermissionDenied
        if form.is_valid():
            ok, _rule = save_with_form(
                form, actions.set_vote_rule, committee, actor=request.user, now=timezone.now(), **form.cleaned_data
            )
            if ok:
                messages.success(request, _("Quorum and majority saved."))
                return redirect("meetings:vote_rules", committee.pk)
    own = {r.kind_id: r for r in committee.vote_rules.all()}
    rows = [{"kind": k, "rule": own.get(k.pk, k), "own": k.pk in own} for k in kinds]
    return render(
        request,
        "meetings/vote_rules.html",
        {"committee": committee, "rows": rows, "form": form if can_direct else None},
        status=400 if form.is_bound and form.errors else 200,
    )
