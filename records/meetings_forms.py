"""Forms printed from the meetings and follow-ups apps' data (read only): AM-02-R02 sign-in sheet,
AM-02-R03 minutes, CS-01-R01 callback record. Objects are found through liaison.access (`meetings`,
`issues`, `scope`), so a committee member of another estate gets 404."""

import datetime

from django.conf import settings
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from followups.models import Callback, Issue
from liaison import access
from meetings import rules, votes
from meetings.models import Attendance, Meeting, Minutes

from . import documents, pdf

SIGNIN_BLANK_ROWS = 6
MAX_PHOTOS = 12


def visible_meetings(user):
    return access.meetings(Meeting.objects.select_related("estate__company", "committee", "kind", "organizer"), user)


def get_meeting(request, pk):
    try:
        return visible_meetings(request.user).get(pk=pk)
    except (ValueError, TypeError, Meeting.DoesNotExist):
        raise Http404


def get_minutes(request, pk):
    try:
        minutes = Minutes.objects.select_related("meeting").get(pk=pk)
    except (ValueError, TypeError, Minutes.DoesNotExist):
        raise Http404
    get_meeting(request, minutes.meeting_id)  # scoping
    return minutes


def mask_phone(phone):
    """Phones on paper that circulates at a meeting are masked: 138****5678."""
    phone = (phone or "").strip()
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 11 else phone


def _when(meeting):
    start, end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    same_day = start.date() == end.date()
    return f"{date_format(start, 'DATE_FORMAT')} {start:%H:%M}–" + (
        f"{end:%H:%M}" if same_day else f"{date_format(end, 'DATE_FORMAT')} {end:%H:%M}"
    )


def checkin_url(meeting):
    base = getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    return base + reverse("meetings:checkin", args=[meeting.checkin_token])


# --- AM-02-R02 sign-in sheet ------------------------------------------------------------------------------


PRESENT, ABSENT, ATTENDING = "present", "absent", "attending"


def attendance_lines(meeting):
    """Every line of the recorded sign-in sheet with its mark, the one rule for the sheet and the minutes:
    an invited member of the meeting's committee who signed in is present (到会), anyone invited who did
    not sign in is absent (缺席), and whoever signed in without being a member — company staff, invited
    guests, walk-ins — attends (列席). Invitations first (in their order), then walk-ins by sign-in time."""
    member_users = set(meeting.committee.active_members().exclude(user=None).values_list("user_id", flat=True))
    attendances = list(meeting.attendances.all())
    attended = {a.invitation_id: a for a in attendances if a.invitation_id}
    lines = []
    for inv in meeting.invitations.all():
        a = attended.get(inv.pk)
        member = inv.member_id is not None or inv.user_id in member_users
        mark = ABSENT if a is None else PRESENT if member else ATTENDING
        lines.append(
            {"name": inv.name, "unit": inv.unit, "phone": inv.phone, "attendance": a, "member": member, "mark": mark}
        )
    for a in attendances:
        if a.invitation_id:
            continue
        lines.append(
            {"name": a.name, "unit": a.unit, "phone": a.phone, "attendance": a, "member": False, "mark": ATTENDING}
        )
    return lines


def _mark_label(mark):
    return {PRESENT: _("Present"), ABSENT: _("Absent"), ATTENDING: _("In attendance")}[mark]


def _method_note(attendance):
    """Who put the line on the sheet: a small note, never in the signature column (that is for the pen)."""
    if attendance is None:
        return ""
    return {
        Attendance.Method.QR: _("Scanned the QR code"),
        Attendance.Method.WALK_IN: _("Walk-in, entered by staff"),
    }.get(attendance.method, _("Entered by staff"))


def signin_sheet(meeting, *, recorded=False, user=None, now=None):
    """One sheet: before the meeting the invitees + blank rows + QR; after it the recorded attendance
    (到会 / 缺席 / 列席 with the sign-in time). The signature column stays blank on both: it is signed by
    hand on the printed sheet. The QR code is printed only for staff who run the estate (`user`), the ones
    who put the sheet at the door, and only while the meeting is still to be held (issue 22, row 3)."""
    now = now or timezone.now()
    with_qr = (
        not recorded
        and user is not None
        and rules.checkin_qr_printable(meeting, now)
        and access.manages_estate(user, meeting.estate)
    )
    if recorded:
        rows = [
            {
                "name": line["name"],
                "unit": line["unit"],
                "phone": mask_phone(line["phone"]),
                "attendance": _mark_label(line["mark"]),
                "mark": line["mark"],
                "signed_in_at": (
                    f"{timezone.localtime(line['attendance'].signed_in_at):%H:%M}" if line["attendance"] else ""
                ),
                "note": _method_note(line["attendance"]),
            }
            for line in attendance_lines(meeting)
        ]
    else:
        rows = [{"name": i.name, "unit": i.unit, "phone": mask_phone(i.phone)} for i in meeting.invitations.all()]
    blank = 2 if recorded else SIGNIN_BLANK_ROWS
    start = len(rows) + 1
    return {
        "company_name": meeting.estate.company.name,
        "estate_name": meeting.estate.name,
        "docref": f"M{meeting.pk}",
        "title": meeting.title,
        "kind": meeting.kind.label,
        "committee": meeting.committee.name,
        "when": _when(meeting),
        "place": meeting.place,
        "host": meeting.organizer.display_name if meeting.organizer else "",
        "rows": rows,
        "blank_rows": range(start, start + blank),
        "recorded": recorded,
        "qr": pdf.qr_data_uri(checkin_url(meeting)) if with_qr else None,
        "note": (
            _(
                "Present: an invited member of the committee who signed in. Absent: invited, did not sign in. "
                "In attendance: signed in, not a member of the committee (company staff, guests, walk-ins)."
            )
            if recorded
            else _("Scan the code with your phone to sign in, or sign on this sheet.")
            if with_qr
            else _("Sign in on this sheet.")
        ),
    }


def signin_pdf(meetings, *, recorded=False, user=None):
    sheets = [signin_sheet(m, recorded=recorded, user=user) for m in meetings]
    return pdf.render_pdf(
        "records/pdf/signin_sheet.html", {"sheets": sheets, "form_code": documents.FORM_CODES["signin"]}
    )


def next_week(now):
    """Monday..Sunday of the week after `now` (local), as aware datetimes [start, end)."""
    today = timezone.localdate(now)
    monday = today + datetime.timedelta(days=7 - today.weekday())
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.datetime.combine(monday, datetime.time()), tz)
    return start, start + datetime.timedelta(days=7)


def next_week_meetings(user, now, estate=None):
    start, end = next_week(now)
    qs = (
        visible_meetings(user)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(status__in=[Meeting.Status.CANCELLED, Meeting.Status.REJECTED])
    )
    if estate is not None:
        qs = qs.filter(estate=estate)
    return qs.order_by("starts_at", "pk")


# --- AM-02-R03 minutes ---------------------------------------------------------------------------------------


def _photos(meeting):
    out = []
    for photo in meeting.photos.all()[:MAX_PHOTOS]:
        try:
            with photo.image.open("rb") as f:
                uri = pdf.thumbnail_data_uri(f)
        except (OSError, ValueError):
            uri = None
        if uri:
            out.append({"src": uri, "caption": photo.caption})
    return out


def _minutes_people(meeting):
    """出席 (members present), 列席 (others who signed in) and 缺席 (invited members who did not): the
    sign-in sheet's marks. Invited staff who did not come are not the committee's absentees."""
    lines = attendance_lines(meeting)
    return {
        "attendees": [x for x in lines if x["mark"] == PRESENT],
        "attending": [x for x in lines if x["mark"] == ATTENDING],
        "absentees": [x for x in lines if x["mark"] == ABSENT and x["member"]],
    }


def minutes_context(minutes):
    meeting = minutes.meeting
    return {
        "minutes": minutes,
        "meeting": meeting,
        "when": _when(meeting),
        **_minutes_people(meeting),
        "agenda": list(meeting.agenda_items.all()),
        "carried": list(meeting.carried_items.all()),
        "resolutions": list(meeting.resolutions.select_related("owner").all()),
        "quorum": votes.quorum(meeting, timezone.now()),
        "issues": list(meeting.issues.order_by("raised_at", "pk")),
        "photos": _photos(meeting),
        **documents.header(meeting.estate, "minutes", f"M{meeting.pk}"),
    }


def minutes_fragment(minutes):
    return render_to_string("records/pdf/_minutes_body.html", minutes_context(minutes))


def minutes_pdf(minutes):
    return documents.frozen_pdf(
        minutes.meeting.estate, "minutes", minutes_fragment(minutes), docref=f"M{minutes.meeting_id}"
    )


# --- CS-01-R01 callback record ----------------------------------------------------------------------------------


def get_issue(request, pk):
    """The issue if the user may see it (liaison.access.issues: department staff also those assigned
    to them), else 404."""
    try:
        return access.issues(Issue.objects.select_related("estate__company", "committee"), request.user).get(pk=pk)
    except (ValueError, TypeError, Issue.DoesNotExist):
        raise Http404


def callback_groups_for_issue(issue):
    return [{"issue": issue, "callbacks": list(issue.callbacks.select_related("recorded_by").all())}]


def callback_groups_for_month(user, estate, year, month):
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.datetime(year, month, 1), tz)
    end = timezone.make_aware(datetime.datetime(year + (month == 12), month % 12 + 1, 1), tz)
    qs = access.scope(Callback.objects.all(), user).filter(estate=estate, called_at__gte=start, called_at__lt=end)
    groups = {}
    for cb in qs.select_related("issue", "issue__committee", "recorded_by").order_by("issue_id", "called_at", "pk"):
        groups.setdefault(cb.issue_id, {"issue": cb.issue, "callbacks": []})["callbacks"].append(cb)
    return list(groups.values())


def callbacks_pdf(estate, groups, *, period=""):
    ctx = {"groups": groups, "period": period, **documents.header(estate, "callback")}
    return pdf.render_pdf("records/pdf/callbacks.html", ctx)
