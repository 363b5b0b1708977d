"""An issue's history (its `liaison.AuditEntry` rows) in people's words.

The audit rows keep what changed as JSON: field names, stored choice values, ids, ISO timestamps in UTC
(`{"status": [None, "open"], "reply_due_at": [None, "2026-11-26T14:09:03+00:00"]}`). The page shows
them as 状态：已登记 → 进行中；答复期限：2026年11月26日 22:09 — the field's verbose name, a choice's
label, a person's name, a time in Asia/Shanghai in the product's date format, "—" for nothing — and
never a Python repr, also for keys it does not know.
"""

import dataclasses
import datetime

from django.core.exceptions import FieldDoesNotExist
from django.utils import formats, timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from liaison.models import AuditEntry, User

from .models import DEADLINE_LABELS, DeadlineEvent, Issue

NOTHING = "—"

# the steps of followups.actions and followups.scan, as they were taken
ACTIONS = {
    "raised": pgettext_lazy("history", "Issue raised"),
    "raised_answered_on_spot": pgettext_lazy("history", "Raised and answered on the spot"),
    "classified": pgettext_lazy("history", "Classified"),
    "assigned": pgettext_lazy("history", "Assigned"),
    "replied": pgettext_lazy("history", "Reply sent"),
    "coordinated": pgettext_lazy("history", "Coordination recorded"),
    "attached": pgettext_lazy("history", "File attached"),
    "resolved": pgettext_lazy("history", "Marked as resolved"),
    "callback": pgettext_lazy("history", "Callback recorded"),
    "confirmed": pgettext_lazy("history", "Confirmed by the committee"),
    "disputed": pgettext_lazy("history", "Disputed by the committee"),
    "closed": pgettext_lazy("history", "Closed"),
    "reminder": pgettext_lazy("history", "Reminder sent"),
    "reminder_skipped": pgettext_lazy("history", "Reminder not sent: the deadline had passed"),
    "overdue": pgettext_lazy("history", "Marked overdue"),
    "escalated": pgettext_lazy("history", "Escalated"),
}

# keys the steps record that are not Issue fields (or name one under another key)
EXTRA_LABELS = {
    "answer": gettext_lazy("Answered on the spot"),
    "body": gettext_lazy("Body"),
    "action": gettext_lazy("What was done"),
    "file": gettext_lazy("File"),
    "deadline": gettext_lazy("Step"),
    "due_at": gettext_lazy("Due"),
    "level": pgettext_lazy("history", "Event"),
    "event_at": gettext_lazy("When"),
}
FIELD_ALIASES = {"reason": "close_reason"}
ESCALATION = {
    0: pgettext_lazy("history", "Not escalated"),
    1: DeadlineEvent.Level.DIRECTOR.label,
    2: DeadlineEvent.Level.LEADER.label,
}

# what a reader looks for first; the rest follow in the order of the model's fields
ORDER = ["status", "responsibility", "assignee_id", "department_id", "policy"]


@dataclasses.dataclass
class Change:
    label: str
    value: str = ""  # a value set (or said) in this step
    old: str = ""  # a transition: old → new
    new: str = ""
    transition: bool = False


@dataclasses.dataclass
class Row:
    when: datetime.datetime
    who: str
    action: str
    changes: list


def issue_history(issue, limit=100):
    """The issue's audit rows, newest first, as Rows (one query for the rows, one per kind of id named)."""
    entries = list(
        AuditEntry.objects.filter(object_type=issue._meta.label_lower, object_id=str(issue.pk)).select_related("actor")[
            :limit
        ]
    )
    return rows(entries)


@dataclasses.dataclass
class Event:
    when: datetime.datetime
    deadline: str
    level: str
    skipped: bool
    who: str


def issue_events(issue):
    """The scan's reminders, overdue marks and escalations of the issue, in the same words."""
    return [
        Event(
            when=e.event_at,
            deadline=str(DEADLINE_LABELS.get(e.deadline) or _readable_key(e.deadline)),
            level=e.get_level_display(),
            skipped=e.skipped,
            who=_job_label(e.job),
        )
        for e in issue.events.all()
    ]


def rows(entries):
    names = _names_of_ids(entries)
    return [
        Row(
            when=e.created,
            who=e.actor.display_name if e.actor_id else _job_label(e.actor_label),
            action=str(ACTIONS.get(e.action) or _readable_key(e.action)),
            changes=[_change(k, v, names) for k, v in _ordered(e.changes)],
        )
        for e in entries
    ]


def _ordered(changes):
    if not isinstance(changes, dict):
        return [("", changes)] if changes not in (None, "", [], {}) else []
    fields = [f.attname for f in Issue._meta.concrete_fields]

    def rank(key):
        if key in ORDER:
            return (0, ORDER.index(key), key)
        name = FIELD_ALIASES.get(key, key)
        return (1, fields.index(name) if name in fields else len(fields), key)

    return sorted(changes.items(), key=lambda kv: rank(kv[0]))


def _field(key):
    try:
        return Issue._meta.get_field(FIELD_ALIASES.get(key, key))
    except FieldDoesNotExist:
        return None


def _label(key):
    if key in EXTRA_LABELS:
        return str(EXTRA_LABELS[key])
    field = _field(key)
    if field is not None and getattr(field, "verbose_name", None):
        return capfirst(str(field.verbose_name))
    return _readable_key(key)


def _change(key, value, names):
    label = _label(key) if key else ""
    if isinstance(value, list) and len(value) == 2 and not isinstance(value[0], (list, dict)):
        old, new = (_value(key, v, names) for v in value)
        if value[0] is None:
            # first set in this step (a new issue's deadlines): just the value
            return Change(label=label, value=new)
        return Change(label=label, old=old, new=new, transition=True)
    return Change(label=label, value=_value(key, value, names))


def _value(key, value, names):
    field = _field(key)
    if value is None:
        return NOTHING
    if field is not None and field.choices and not isinstance(value, (list, dict)):
        return str(dict(field.flatchoices).get(value, value)) or NOTHING
    if value == "":
        return NOTHING
    if isinstance(value, dict):
        return "; ".join(f"{_label(k)}: {_value(k, v, names)}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(_value(key, v, names) for v in value) or NOTHING
    if key == "deadline" and value in DEADLINE_LABELS:
        return str(DEADLINE_LABELS[value])
    if key == "level":
        return _level_label(value)
    if key == "escalation_level" and value in ESCALATION:
        return str(ESCALATION[value])
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field is not None and field.is_relation and key == field.attname:
        return names.get((field.related_model, value), f"#{value}")
    when = _parse_time(value) if isinstance(value, str) else None
    if when is not None:
        return when
    return str(value)


def _parse_time(text):
    """An ISO timestamp (as audit() stores them) in the product's format and time zone, else None."""
    if len(text) < 10 or not text[:4].isdigit() or text[4:5] != "-":
        return None
    try:
        if len(text) == 10:
            return formats.date_format(datetime.date.fromisoformat(text), "DATE_FORMAT")
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _level_label(value):
    """The scan stores the level's label as it read when the scan ran (in the default language)."""
    for level in DeadlineEvent.Level:
        for lang in ("en", "zh-hans"):
            with translation.override(lang):
                said = str(level.label)
            if said == value:
                return str(level.label)  # in the reader's language
    return str(value)


def _names_of_ids(entries):
    """{(model, id): name} for the ids the rows name (assignee_id, department_id…), one query per model."""
    wanted = {}
    for e in entries:
        for key, value in (e.changes or {}).items() if isinstance(e.changes, dict) else ():
            field = _field(key)
            if field is None or not field.is_relation or key != field.attname:
                continue
            for v in value if isinstance(value, list) else [value]:
                if v is not None:
                    wanted.setdefault(field.related_model, set()).add(v)
    names = {}
    for model, ids in wanted.items():
        for obj in model._default_manager.filter(pk__in=ids):
            names[(model, obj.pk)] = obj.display_name if isinstance(obj, User) else str(obj)
    return names


def _job_label(label):
    if "scan_issues" in (label or ""):
        return _("Deadline scan (automatic)")
    return label or NOTHING


def _readable_key(key):
    return capfirst(str(key).replace(".", " ").replace("_", " ").strip()) or NOTHING
