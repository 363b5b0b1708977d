"""Carry-forward: a committee's first question at a meeting is "what happened to last time's decisions?".

A new meeting with a committee that has open resolutions or issues starts with the agenda item
"上次会议决议及问题落实情况" (CARRY_TITLE). Until the meeting is sent the item lists what is open now;
when it is sent the list is frozen as `CarryItem` rows (what stood open then, as it stood); the minutes
page records a status for each and the minutes PDF (records) prints them.

Issues belong to followups, above meetings: followups registers its provider here in its
AppConfig.ready() (as it does for the minutes page), so meetings never imports it. A provider is a callable
`(committee, now) -> [OpenItem]`.
"""

import dataclasses
import datetime

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import AgendaItem, CarryItem, Resolution

CARRY_TITLE = _("Follow-up of the last meeting's resolutions and issues")

PROVIDERS = []


def register(provider):
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)


@dataclasses.dataclass(frozen=True)
class OpenItem:
    kind: str  # CarryItem.Kind
    object_id: int
    text: str
    owner_name: str
    due_date: datetime.date | None
    status: object  # the status's label (lazy); frozen untranslated
    url: str

    @property
    def status_display(self):
        return self.status


def open_resolutions(committee, now):
    qs = (
        Resolution.objects.filter(committee=committee, created_at__lte=now)
        .open()
        .order_by("due_date", "pk")
        .select_related("meeting")
    )
    return [
        OpenItem(
            CarryItem.Kind.RESOLUTION,
            r.pk,
            r.text,
            r.owner_name,
            r.due_date,
            Resolution.Status(r.status).label,
            r.get_absolute_url(),
        )
        for r in qs
    ]


def open_items(committee, now):
    """Everything the committee has open at `now`: its resolutions, then what the providers add (issues)."""
    items = open_resolutions(committee, now)
    for provider in PROVIDERS:
        items.extend(provider(committee, now))
    return items


def title():
    """The agenda item's title, in the portal's language (it is data, printed on the minutes)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(CARRY_TITLE)


def add_agenda_item(meeting, now):
    """The first agenda item of a new meeting whose committee has something open (inside the caller's
    transaction, meetings.actions.create_meeting). Returns it, or None when nothing is open."""
    if not open_items(meeting.committee, now):
        return None
    return AgendaItem.objects.create(meeting=meeting, order=0, title=title(), carry_forward=True)


def _untranslated(label):
    with translation.override(None):
        return str(label)


def freeze(meeting, now):
    """When the meeting is sent: the open items as they stand now, once (inside the sending's transaction).
    Returns the number of rows written."""
    item = meeting.agenda_items.filter(carry_forward=True).first()
    if item is None or meeting.carried_items.exists():
        return 0
    rows = [
        CarryItem(
            meeting=meeting,
            agenda_item=item,
            order=n,
            kind=o.kind,
            object_id=o.object_id,
            text=o.text,
            owner_name=o.owner_name[:100],
            due_date=o.due_date,
            status_label=_untranslated(o.status)[:100],
            url=o.url[:200],
        )
        for n, o in enumerate(open_items(meeting.committee, now), start=1)
    ]
    CarryItem.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def shown(meeting, now):
    """What the agenda item lists: the frozen rows once sent, else what is open now (OpenItem)."""
    if meeting.sent_at:
        return list(meeting.carried_items.all())
    return open_items(meeting.committee, now)
