"""One search box over what a person may see: each kind of record has a finder that starts from the
app's own "visible to" queryset (liaison.access underneath) and matches the query as a substring.

Why a substring match (icontains) and no word index: Chinese has no spaces and most queries are two
characters (漏水, 路灯); a word segmenter (jieba) would need its dictionary to cut 漏水 out of 地下车库漏水
the way the user typed it, and PostgreSQL's trigram index does not serve queries under three characters.
A bounded substring match within the user's own scope finds every occurrence on PostgreSQL and SQLite
alike; each kind reads at most LIMIT + 1 rows (README, "Design").
"""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from followups.models import Issue
from liaison import access
from liaison.models import CommitteeMember, User
from liaison.textsearch import SEARCHED, newest_matching
from meetings.models import AgendaItem, Meeting, Minutes, Resolution
from records.views import visible_sheets

from .text import excerpt, first_match, parts

LIMIT = 10


def _hit(q, *, title, texts=(), url="", meta=""):
    body = first_match(q, *texts) if texts else ""
    return {
        "title": parts(title, q),
        "excerpt": parts(excerpt(body, q), q) if body and body != title else [],
        "url": url,
        "meta": meta,
    }


def _final_minutes_only(user):
    """Committee members read a meeting's discussion once its minutes are final; staff while written."""
    return user.is_committee


def issues(user, q):
    qs = Issue.objects.visible_to(user).select_related("estate")
    for i in newest_matching(qs, SEARCHED["followups_issue"], q, ("-raised_at", "-pk"), LIMIT + 1):
        yield _hit(
            q,
            title=f"#{i.pk} {i.title or i.description[:40]}",
            texts=[i.title, i.description, i.location, i.raised_by] if i.title else [i.location, i.raised_by],
            url=i.get_absolute_url(),
            meta=f"{i.estate.name} · {i.get_status_display()}",
        )


def meetings(user, q):
    qs = Meeting.objects.visible_to(user).select_related("estate", "committee")
    for m in newest_matching(qs, SEARCHED["meetings_meeting"], q, ("-starts_at", "-pk"), LIMIT + 1):
        yield _hit(
            q,
            title=m.title,
            texts=[m.title, m.place],
            url=m.get_absolute_url(),
            meta=f"{m.estate.name} · {m.committee.name}",
        )


AGENDA_TEXTS = ["title", "cause", "process", "necessity", "owners_attitude", "support_requested"]


def agenda_items(user, q):
    fields = list(AGENDA_TEXTS)
    cond = Q()
    for f in fields:
        cond |= Q(**{f"{f}__icontains": q})
    if _final_minutes_only(user):
        cond |= Q(discussion__icontains=q, meeting__minutes__finalised_at__isnull=False)
    else:
        cond |= Q(discussion__icontains=q)
    qs = AgendaItem.objects.filter(meeting__in=Meeting.objects.visible_to(user)).select_related("meeting")
    order = ("-meeting__starts_at", "order", "pk")
    for a in newest_matching(qs, SEARCHED["meetings_agendaitem"], q, order, LIMIT + 1, narrow=cond):
        shown = [getattr(a, f) for f in fields]
        if not _final_minutes_only(user) or _minutes_final(a.meeting):
            shown.append(a.discussion)
        yield _hit(q, title=a.title, texts=shown, url=a.meeting.get_absolute_url(), meta=a.meeting.title)


def _minutes_final(meeting):
    minutes = getattr(meeting, "minutes", None)
    return minutes is not None and minutes.is_final


def minutes(user, q):
    qs = Minutes.objects.filter(meeting__in=Meeting.objects.visible_to(user)).select_related("meeting")
    if _final_minutes_only(user):
        qs = qs.filter(finalised_at__isnull=False)
    order = ("-meeting__starts_at", "-pk")
    for m in newest_matching(qs, SEARCHED["meetings_minutes"], q, order, LIMIT + 1):
        url = (
            reverse("records:minutes_html", args=[m.meeting_id])
            if m.is_final
            else reverse("meetings:minutes", args=[m.meeting_id])
        )
        yield _hit(
            q,
            title=m.meeting.title,
            texts=[m.summary, m.host_name, m.recorder_name],
            url=url,
            meta=_("Minutes") if m.is_final else _("Minutes (draft)"),
        )


def resolutions(user, q):
    qs = Resolution.objects.filter(meeting__in=Meeting.objects.visible_to(user)).select_related("meeting")
    order = ("-meeting__starts_at", "order", "pk")
    for r in newest_matching(qs, SEARCHED["meetings_resolution"], q, order, LIMIT + 1):
        yield _hit(
            q,
            title=r.text[:80],
            texts=[r.text, r.action, r.owner_name],
            url=r.meeting.get_absolute_url() + "#resolutions",
            meta=f"{r.meeting.title} · {r.get_status_display()}",
        )


def contact_sheets(user, q):
    for s in newest_matching(visible_sheets(user), SEARCHED["records_workcontactsheet"], q, ("-pk",), LIMIT + 1):
        yield _hit(
            q,
            title=f"{s.number} {s.subject}".strip(),
            texts=[s.subject, s.content, s.reply],
            url=s.get_absolute_url(),
            meta=f"{s.estate.name} · {s.committee.name}",
        )


def people(user, q):
    """Committee members of the committees the user sees; for staff also the company's staff on
    their estates (a committee member is not shown the company's staff list)."""
    members = (
        CommitteeMember.objects.filter(
            committee__in=access.visible_committees(user), ended_on__isnull=True, name__icontains=q
        )
        .select_related("committee__estate")
        .order_by("name", "pk")[: LIMIT + 1]
    )
    for m in members:
        yield _hit(
            q,
            title=m.name,
            url="" if user.is_committee else m.committee.get_absolute_url(),
            meta=f"{m.committee.estate.name} · {m.committee.name} · {m.get_role_display()}",
        )
    if user.is_committee:
        return
    staff = (
        User.objects.filter(is_active=True, assignments__estate__in=access.visible_estates(user))
        .filter(Q(name__icontains=q) | Q(username__icontains=q))
        .distinct()
        .order_by("name", "pk")[: LIMIT + 1]
    )
    for u in staff:
        yield _hit(q, title=u.display_name, url=reverse("staff_list"), meta=u.get_role_display())


def estates(user, q):
    if user.is_committee:
        return
    qs = access.visible_estates(user).filter(Q(name__icontains=q) | Q(address__icontains=q)).order_by("name", "pk")
    for e in qs[: LIMIT + 1]:
        yield _hit(q, title=e.name, texts=[e.name, e.address], url=e.get_absolute_url(), meta=e.address)


# (key, label, finder, the list page that searches further with ?q=, if any)
KINDS = [
    ("issues", _("Issues"), issues, "followups:list"),
    ("meetings", _("Meetings"), meetings, None),
    ("agenda", _("Agenda items"), agenda_items, None),
    ("minutes", _("Minutes"), minutes, None),
    ("resolutions", _("Resolutions"), resolutions, None),
    ("sheets", _("Work contact sheets"), contact_sheets, None),
    ("people", _("People"), people, None),
    ("estates", _("Estates"), estates, None),
]


def search(user, q):
    """[{key, label, hits, more, further}] for the kinds with a hit, in KINDS order."""
    groups = []
    for key, label, finder, further in KINDS:
        hits = list(finder(user, q))
        if hits:
            groups.append(
                {
                    "key": key,
                    "label": label,
                    "hits": hits[:LIMIT],
                    "more": len(hits) > LIMIT,
                    "further": reverse(further) if further else "",
                }
            )
    return groups
