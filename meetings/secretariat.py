"""The e-mail to a committee's secretariat: what is sent is what is said.

The secretariat has no portal account, so its e-mail is the notice itself (§4.1.4.2: the agenda and the
materials go to the OC secretariat). An invitation or a change of time carries the agenda as an A4 PDF,
the materials up to `MEETINGS_EMAIL_ATTACH_MAX_BYTES` in total (default 8 MB; the rest are linked) and an
iCalendar file (METHOD:REQUEST; the feed's UID and SEQUENCE, so a calendar moves the event instead of
adding a second one); a cancellation carries METHOD:CANCEL. The body names every material, attached or
linked: nothing is left out without saying so.

The text is in the portal's default language (the secretariat has no language preference), like the
group robots' messages. What went out is written to `Dispatch.content["secretariat_mail"]`, which the
meeting page's dispatch log reads (`status`: sent / not_needed / failed).
"""

import email.utils
import logging
import re
from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from liaison.escaping import header_text, ical_text

from . import ical
from .material_links import link_days, material_link
from .models import Dispatch, Meeting

log = logging.getLogger(__name__)

DEFAULT_ATTACH_MAX_BYTES = 8 * 1024 * 1024
AGENDA_TEMPLATE = "meetings/pdf/agenda.html"
# the one CJK face the records PDFs use (fontconfig, fonts-noto-cjk): see records/pdf.py for why one face
PDF_FONT = '"Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif'

SENT, NOT_NEEDED, FAILED = "sent", "not_needed", "failed"
# why a dispatch needed no e-mail (the meeting page says it in words)
BEGUN, SUPERSEDED = "begun", "superseded"

# the notices that tell the secretariat about the meeting itself (the minutes only point to the portal)
NOTICE_KINDS = (Dispatch.Kind.INVITATION, Dispatch.Kind.UPDATE, Dispatch.Kind.CANCELLATION)
# with the whole package: agenda PDF, materials, calendar invitation (a change of time may reach a
# secretariat that never had the invitation, e.g. when the address was added after sending)
PACKAGE_KINDS = (Dispatch.Kind.INVITATION, Dispatch.Kind.UPDATE)


def attach_limit():
    return int(getattr(settings, "MEETINGS_EMAIL_ATTACH_MAX_BYTES", DEFAULT_ATTACH_MAX_BYTES))


def not_needed(dispatch, now):
    """Why this dispatch's e-mail need not go out any more (a reason code), or None.

    The e-mail is retried until it goes; by then the meeting may have begun (an invitation to a meeting
    that is under way helps nobody), or a later notice (a new time, a cancellation) may have replaced it:
    that one carries the meeting as it now is."""
    if dispatch.kind not in NOTICE_KINDS:
        return None
    meeting = dispatch.meeting
    if meeting.starts_at <= now:
        return BEGUN
    if (
        dispatch.kind in PACKAGE_KINDS
        and Dispatch.objects.filter(
            meeting=meeting, kind__in=[Dispatch.Kind.UPDATE, Dispatch.Kind.CANCELLATION], pk__gt=dispatch.pk
        ).exists()
    ):
        return SUPERSEDED
    return None


# --- the agenda as a PDF ------------------------------------------------------------------------------


def _refuse_every_url():
    from weasyprint.urls import URLFetcher

    class NoFetch(URLFetcher):
        # the agenda needs no resource; user text must not make the renderer read files or the network
        def fetch(self, url, headers=None):
            raise ValueError(f"resource refused: {url[:80]}")

    return NoFetch()


def _local(dt):
    return timezone.localtime(dt)


def _when(meeting):
    start, end = _local(meeting.starts_at), _local(meeting.ends_at)
    text = formats.date_format(start, "DATETIME_FORMAT")
    if end.date() == start.date():
        return f"{text}–{end:%H:%M}"
    return f"{text} – {formats.date_format(end, 'DATETIME_FORMAT')}"


def _agenda(meeting):
    """Agenda items with their prompts (§4.1.4.3), empty ones left out."""
    items = []
    for a in meeting.agenda_items.all():
        fields = [
            (_("Cause"), a.cause),
            (_("Process so far"), a.process),
            (_("Necessity"), a.necessity),
            (_("Owners' attitude"), a.owners_attitude),
            (_("Support asked"), a.support_requested),
        ]
        items.append({"title": a.title, "presenter": a.presenter, "fields": [(k, v) for k, v in fields if v]})
    return items


def agenda_html(meeting, *, now, materials=()):
    return render_to_string(
        AGENDA_TEMPLATE,
        {
            "meeting": meeting,
            "company": meeting.estate.company.name,
            "when": _when(meeting),
            "items": _agenda(meeting),
            "materials": materials,
            "printed": formats.date_format(_local(now), "DATETIME_FORMAT"),
            "font": PDF_FONT,
        },
    )


def agenda_pdf(meeting, *, now, materials=()):
    """The agenda as an A4 PDF (WeasyPrint), in the current language. `materials`: [{"name", "linked"}]."""
    from weasyprint import HTML

    html = agenda_html(meeting, now=now, materials=materials)
    return HTML(string=html, base_url="https://pdf.liaison.invalid/", url_fetcher=_refuse_every_url()).write_pdf()


# --- the calendar file --------------------------------------------------------------------------------


def calendar_file(meeting, *, method, now, attendees=()):
    """One VEVENT as in the feed (meetings/ical.py: same UID, SEQUENCE, times), in a calendar with the
    iTIP method: REQUEST for an invitation or a change, CANCEL for a cancellation."""
    from icalendar import STATUS, Calendar, vCalAddress

    cal = Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", "-//liaison//meetings//ZH")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    ev = ical.event(meeting, now, settings.SITE_URL.rstrip("/"))
    if method == "CANCEL":
        ev["status"] = STATUS.CANCELLED
    # iTIP wants an organiser and the attendees; replies are not read, so no RSVP is asked
    name, address = email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address or 'liaison@localhost'}")
    organizer.params["cn"] = ical_text(
        meeting.organizer.display_name if meeting.organizer_id else (name or meeting.estate.name), one_line=True
    )
    ev.add("organizer", organizer)
    for addr in attendees:
        att = vCalAddress(f"mailto:{addr}")
        att.params["cn"] = ical_text(meeting.committee.name, one_line=True)
        att.params["role"] = "REQ-PARTICIPANT"
        att.params["rsvp"] = "FALSE"
        ev.add("attendee", att)
    cal.add_component(ev)
    return cal.to_ical()


# --- the message --------------------------------------------------------------------------------------


def _safe_name(text, limit=60):
    return re.sub(r'[\\/:*?"<>|\r\n\t]+', "_", text).strip(" ._")[:limit] or "meeting"


def _size(n):
    return filesizeformat(n).replace("\xa0", " ")  # plain text: an ordinary space


def material_url(material):
    """A link the secretariat can open without a portal account (meetings.material_links)."""
    return material_link(material)


def _split_materials(meeting):
    """Materials in upload order: attached while the total stays within the limit, the others linked.
    A large file does not stop the smaller ones after it from being attached."""
    limit = attach_limit()
    used = 0
    attached, linked = [], []
    for mat in meeting.materials.all():
        entry = {"name": mat.original_name, "size": mat.size, "url": material_url(mat)}
        if used + mat.size <= limit:
            try:
                with mat.file.open("rb") as fh:
                    data = fh.read()
            except OSError:
                log.warning("material %s could not be read; linked instead", mat.pk, exc_info=True)
                linked.append({**entry, "unreadable": True})
                continue
            used += len(data)
            attached.append({**entry, "data": data, "content_type": mat.content_type})
        else:
            linked.append(entry)
    return attached, linked


def _subject(dispatch, meeting):
    heading = {
        Dispatch.Kind.INVITATION: _("Meeting notice"),
        Dispatch.Kind.UPDATE: _("Meeting rescheduled"),
        Dispatch.Kind.CANCELLATION: _("Meeting cancelled"),
        Dispatch.Kind.MINUTES: _("Minutes"),
    }.get(dispatch.kind, _("Meeting"))
    return header_text(f"【{heading}】{meeting.title}")


def _body(dispatch, meeting, *, attached, linked, agenda_pdf_ok):
    kind = dispatch.kind
    reason = dispatch.content.get("reason", "")
    lines = [
        f"{meeting.estate.name} · {meeting.committee.name}",
        meeting.title,
        f"{_('When')}：{_when(meeting)}",
        f"{_('Place')}：{meeting.place}",
    ]
    if meeting.organizer_id:
        lines.append(f"{_('Organiser')}：{meeting.organizer.display_name} {meeting.organizer.phone}".rstrip())
    lines.append("")
    if kind == Dispatch.Kind.UPDATE:
        lines += [_("The time or place of this meeting has changed. Reason: %(reason)s") % {"reason": reason}, ""]
    elif kind == Dispatch.Kind.CANCELLATION:
        lines += [_("This meeting has been cancelled. Reason: %(reason)s") % {"reason": reason}, ""]
        lines.append(_("Attached: the cancellation for your calendar (.ics); opening it removes the meeting."))
        return lines
    lines.append(_("Agenda"))
    items = _agenda(meeting)
    for i, item in enumerate(items, 1):
        presenter = f"（{_('Presented by')}：{item['presenter']}）" if item["presenter"] else ""
        lines.append(f"{i}. {item['title']}{presenter}")
        lines += [f"   {label}：{value}" for label, value in item["fields"]]
    if not items:
        lines.append(_("No agenda items yet."))
    if kind == Dispatch.Kind.MINUTES:
        lines += [
            "",
            _("The minutes are final. Read them in the portal: %(url)s")
            % {"url": f"{settings.SITE_URL.rstrip('/')}{meeting.get_absolute_url()}"},
        ]
        return lines
    lines += ["", _("Materials (%(n)s)") % {"n": len(attached) + len(linked)}]
    if attached:
        lines.append(_("Attached to this e-mail:"))
        lines += [f"- {m['name']}（{_size(m['size'])}）" for m in attached]
    if linked:
        lines.append(
            _(
                "Not attached, because the attachments may not exceed %(limit)s in total: download them "
                "with these links (no sign-in needed; valid for %(days)s days):"
            )
            % {"limit": _size(attach_limit()), "days": link_days()}
        )
        for m in linked:
            note = f" {_('(the file could not be read)')}" if m.get("unreadable") else ""
            lines.append(f"- {m['name']}（{_size(m['size'])}）{note}：{m['url']}")
    if not attached and not linked:
        lines.append(_("No materials."))
    lines.append("")
    if agenda_pdf_ok:
        lines.append(_("Also attached: the agenda as a PDF, and the meeting for your calendar (.ics)."))
    else:
        lines.append(
            _(
                "The agenda PDF could not be made; the agenda is in this e-mail. The meeting for your calendar (.ics) is attached."
            )
        )
    return lines


def _ics_part(data, method):
    part = MIMEText(data.decode(), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="meeting.ics")
    return part


def build_message(dispatch, *, now):
    """The e-mail for a dispatch and what it carries: (EmailMessage or None, record for the log)."""
    meeting = Meeting.objects.select_related("estate__company", "committee", "kind", "organizer").get(
        pk=dispatch.meeting_id
    )
    to = [dispatch.secretariat_email] if dispatch.secretariat_email else []
    outside = sorted({r["email"] for r in dispatch.recipients if r.get("email") and not r.get("portal")})
    if not to and not outside:
        return None, {}
    with translation.override(settings.LANGUAGE_CODE):
        attached, linked = ([], [])
        if dispatch.kind in PACKAGE_KINDS:
            attached, linked = _split_materials(meeting)
        pdf = None
        if dispatch.kind in PACKAGE_KINDS:
            try:
                listed = [{"name": m["name"], "linked": False} for m in attached]
                listed += [{"name": m["name"], "linked": True} for m in linked]
                pdf = agenda_pdf(meeting, now=now, materials=listed)
            except Exception:  # noqa: BLE001 - the notice still goes, with the agenda in its text
                log.exception("agenda PDF for meeting %s could not be made", meeting.pk)
        body = _body(dispatch, meeting, attached=attached, linked=linked, agenda_pdf_ok=pdf is not None)
        domain = email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
        msg = EmailMessage(
            _subject(dispatch, meeting),
            "\n".join(body),
            to=to,
            bcc=outside,
            # answers go to the organiser, not to the portal's sending address
            reply_to=[meeting.organizer.email] if meeting.organizer_id and meeting.organizer.email else None,
            # stable, as for the notifications: a copy re-sent after a failure is recognisable
            headers={"Message-ID": f"<liaison.d{dispatch.pk}@{domain}>", "X-Liaison-Kind": f"dispatch.{dispatch.kind}"},
        )
        if pdf is not None:
            msg.attach(f"{_('Meeting agenda')}-{_safe_name(meeting.title)}.pdf", pdf, "application/pdf")
        for m in attached:
            msg.attach(m["name"], m["data"], m["content_type"] or "application/octet-stream")
        method = None
        if dispatch.kind in PACKAGE_KINDS:
            method = "REQUEST"
        elif dispatch.kind == Dispatch.Kind.CANCELLATION:
            method = "CANCEL"
        if method:
            msg.attach(_ics_part(calendar_file(meeting, method=method, now=now, attendees=to), method))
    record = {
        "agenda_pdf": pdf is not None,
        "ics": method,
        "attached": [m["name"] for m in attached],
        "linked": [m["name"] for m in linked],
        "to": to,
        "bcc": len(outside),
    }
    return msg, record


def with_status(content, status, **fields):
    """The dispatch's snapshot with what happened to its e-mail (read by the meeting page's log)."""
    return {**(content or {}), "secretariat_mail": {"status": status, **fields}}
