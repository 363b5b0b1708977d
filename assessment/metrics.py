"""What the monthly assessment counts (seed 000 §5.0), each as ONE predicate.

Every figure is a `Metric`: a model, the field that names the responsible staff member, and a
function returning the `Q` that selects the records behind the figure for a month. The dashboard
counts with `Count("pk", filter=q)` and the drill-down lists `Model.objects.filter(q)` with the very
same `Q` (see `records_for`), so a number and its list cannot disagree.

Month boundaries are Asia/Shanghai midnights ([start, end), see months.py). `T` is the moment the
month is read at: its end, or now while the month runs. Deadlines are judged in the month they fall
due (reply, first callback, minutes), so a month can be closed on the 1st with every counted
deadline already decided. "Open" is reconstructed at T from the timestamps; "overdue" is the issues
app's definition (`Issue.overdue_q`) judged at T.
"""

import dataclasses
import datetime
from collections.abc import Callable
from functools import reduce
from operator import or_

from django.apps import apps
from django.db.models import Count, DurationField, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from followups.models import Issue


@dataclasses.dataclass(frozen=True)
class Metric:
    key: str
    label: str
    family: str
    q: Callable  # (month, T) -> Q


@dataclasses.dataclass(frozen=True)
class Family:
    key: str
    model: str  # app_label.Model
    person: str  # field naming the responsible staff member
    select_related: tuple = ()
    # a simple superset of every metric's Q (month, T) -> Q: the WHERE of the grouped query, so the
    # planner sees a few plain ranges instead of the OR of every figure's predicate
    window: Callable = None
    # (figure key, metric key, start field, end field): durations of the metric's records in days
    durations: tuple = ()

    @property
    def model_class(self):
        return apps.get_model(self.model)


def _in(field, month):
    return Q(**{f"{field}__gte": month.start, f"{field}__lt": month.end})


# --- meetings -------------------------------------------------------------------------------------------


def _m_base(month):
    return _in("starts_at", month) & ~Q(status="cancelled")


def q_held(month, T):
    return _m_base(month) & Q(attendance_recorded_at__isnull=False)


def q_sent(month, T):
    return _m_base(month) & Q(sent_at__isnull=False)


def q_notice_breach(month, T):
    # judged when the committee was told (meetings.rules.notice_shortfall: 7 days are 7 x 24 hours,
    # §4.1.4.2, §4.2.1.2); a shorter notice is sent only with a written override
    return _m_base(month) & Q(notice_kept=False)


def q_special_held(month, T):
    return q_held(month, T) & Q(kind__requires_approval=True)


def q_special_unapproved(month, T):
    # §4.1.4.1: approval must come before the meeting
    return q_special_held(month, T) & (Q(approved_at__isnull=True) | Q(approved_at__gte=F("starts_at")))


def _minutes_due(month):
    # seed 004 篇3 七.7: minutes to every attendee within 3 days; the meetings app stores the deadline
    return _in("minutes_due_at", month) & Q(attendance_recorded_at__isnull=False) & ~Q(status="cancelled")


def q_minutes_due(month, T):
    return _minutes_due(month)


def q_minutes_on_time(month, T):
    return _minutes_due(month) & Q(minutes__distributed_at__lte=F("minutes_due_at"))


def q_minutes_late(month, T):
    return (
        _minutes_due(month)
        & Q(minutes_due_at__lt=T)
        & (Q(minutes__distributed_at__isnull=True) | Q(minutes__distributed_at__gt=F("minutes_due_at")))
    )


# --- issues --------------------------------------------------------------------------------------------


def q_raised(month, T):
    return _in("raised_at", month)


def _reply_due(month):
    # answered on the spot (§4.1.4.4): replied when raised, no reply deadline; counted in its month
    return _in("reply_due_at", month) | (
        Q(reply_due_at__isnull=True, close_reason="on_the_spot") & _in("raised_at", month)
    )


def q_reply_due(month, T):
    return _reply_due(month)


def q_reply_on_time(month, T):
    # replied exactly at the deadline is on time (<=)
    return (
        _reply_due(month)
        & Q(replied_at__isnull=False)
        & (Q(reply_due_at__isnull=True) | Q(replied_at__lte=F("reply_due_at")))
    )


def q_reply_late(month, T):
    return (
        _in("reply_due_at", month)
        & Q(reply_due_at__lt=T)
        & (Q(replied_at__isnull=True) | Q(replied_at__gt=F("reply_due_at")))
    )


def q_callback_due(month, T):
    return _in("first_callback_due_at", month)


def q_callback_on_time(month, T):
    return _in("first_callback_due_at", month) & Q(first_callback_at__lte=F("first_callback_due_at"))


def q_callback_late(month, T):
    return (
        _in("first_callback_due_at", month)
        & Q(first_callback_due_at__lt=T)
        & (Q(first_callback_at__isnull=True) | Q(first_callback_at__gt=F("first_callback_due_at")))
    )


def q_open(month, T):
    return Q(raised_at__lt=T) & (Q(closed_at__isnull=True) | Q(closed_at__gte=T))


def q_overdue(month, T):
    # Issue.overdue_q, the one definition of overdue (the home page's count, the issue list's filter),
    # judged at T
    return q_open(month, T) & Issue.overdue_q(T)


def q_closed(month, T):
    return _in("closed_at", month)


# --- callbacks (CS-01-R01) -------------------------------------------------------------------------------


def q_callbacks(month, T):
    return _in("called_at", month)


def _sat(value):
    def q(month, T):
        return _in("called_at", month) & Q(satisfaction=value)

    return q


# --- sign-off (§4.1.7) ---------------------------------------------------------------------------------


def q_signoff_sent(month, T):
    return _in("created_at", month) & ~Q(status="cancelled")


def q_signoff_completed(month, T):
    return q_signoff_sent(month, T) & Q(status="completed", completed_at__lt=T)


def q_resolution_overdue(month, T):
    # resolutions open at the month's end and past their due date: Resolution.overdue_q judged at T,
    # open reconstructed from the timestamps (made before T, not closed before T)
    return Q(created_at__lt=T, due_at__lte=T) & (Q(completed_at__isnull=True) | Q(completed_at__gte=T))


def _matter_due(month):
    # §4.1.6: matters whose raise-by moment fell in the month (judged in that month, as replies)
    return _in("raise_by", month)


def q_matter_due(month, T):
    return _matter_due(month)


def q_matter_late(month, T):
    # not raised with the committee by the raise-by moment: raised after it, or not at all by T
    # (records.ImportantMatter.late_q, the definition the list and the matter's page show)
    return _matter_due(month) & (Q(raised_at__isnull=True) | Q(raised_at__gte=T) | Q(raised_at__gt=F("raise_by")))


def w_matters(month, T):
    return _matter_due(month)


def w_resolutions(month, T):
    return q_resolution_overdue(month, T)


def w_meetings(month, T):
    return _in("starts_at", month) | _in("minutes_due_at", month)


def w_issues(month, T):
    return (
        _in("raised_at", month)
        | _in("reply_due_at", month)
        | _in("first_callback_due_at", month)
        | _in("closed_at", month)
        | (Q(raised_at__lt=T) & (Q(closed_at__isnull=True) | Q(closed_at__gte=T)))
    )


def w_callbacks(month, T):
    return _in("called_at", month)


def w_signoffs(month, T):
    return _in("created_at", month)


FAMILIES = {
    "meetings": Family(
        "meetings", "meetings.Meeting", "organizer_id", ("estate", "committee", "kind", "organizer"), w_meetings
    ),
    "issues": Family(
        "issues",
        "followups.Issue",
        "assignee_id",
        ("estate", "committee", "assignee"),
        w_issues,
        durations=(("close_days", "closed", "raised_at", "closed_at"),),
    ),
    "callbacks": Family(
        "callbacks",
        "followups.Callback",
        "issue__assignee_id",
        ("estate", "committee", "issue", "recorded_by"),
        w_callbacks,
    ),
    "resolutions": Family(
        "resolutions", "meetings.Resolution", "owner_id", ("estate", "committee", "meeting", "owner"), w_resolutions
    ),
    "matters": Family(
        "matters", "records.ImportantMatter", "recorded_by_id", ("estate", "committee", "recorded_by"), w_matters
    ),
    "signoffs": Family(
        "signoffs",
        "records.SignoffRequest",
        "requested_by_id",
        ("estate", "committee", "requested_by"),
        w_signoffs,
        durations=(("signoff_days", "signoff_completed", "created_at", "completed_at"),),
    ),
}

METRICS = [
    Metric("held", _("Meetings held"), "meetings", q_held),
    Metric("sent", _("Meetings sent to the committee"), "meetings", q_sent),
    Metric("notice_breach", _("Meetings that broke a notice rule"), "meetings", q_notice_breach),
    Metric("special_held", _("Special-topic meetings held"), "meetings", q_special_held),
    Metric(
        "special_unapproved", _("Special-topic meetings held without prior approval"), "meetings", q_special_unapproved
    ),
    Metric("minutes_due", _("Minutes due"), "meetings", q_minutes_due),
    Metric("minutes_on_time", _("Minutes distributed within 3 days"), "meetings", q_minutes_on_time),
    Metric("minutes_late", _("Minutes late or missing"), "meetings", q_minutes_late),
    Metric("raised", _("Issues raised"), "issues", q_raised),
    Metric("reply_due", _("Replies due"), "issues", q_reply_due),
    Metric("reply_on_time", _("Replied on time"), "issues", q_reply_on_time),
    Metric("reply_late", _("Replies late or missing"), "issues", q_reply_late),
    Metric("callback_due", _("First callbacks due"), "issues", q_callback_due),
    Metric("callback_on_time", _("Callbacks on time"), "issues", q_callback_on_time),
    Metric("callback_late", _("Callbacks late or missing"), "issues", q_callback_late),
    Metric("open", _("Open issues at the month's end"), "issues", q_open),
    Metric("overdue", _("Overdue issues at the month's end"), "issues", q_overdue),
    Metric("closed", _("Issues closed"), "issues", q_closed),
    Metric("resolution_overdue", _("Overdue resolutions at the month's end"), "resolutions", q_resolution_overdue),
    Metric("matter_due", _("Important matters due to be raised"), "matters", q_matter_due),
    Metric("matter_late", _("Important matters not raised in time"), "matters", q_matter_late),
    Metric("callbacks", _("Callbacks made"), "callbacks", q_callbacks),
    Metric("sat_satisfied", _("Satisfied"), "callbacks", _sat("satisfied")),
    Metric("sat_basic", _("Basically satisfied"), "callbacks", _sat("basic")),
    Metric("sat_unsatisfied", _("Unsatisfied"), "callbacks", _sat("unsatisfied")),
    Metric("signoff_sent", _("Reports sent for sign-off"), "signoffs", q_signoff_sent),
    Metric("signoff_completed", _("Reports signed"), "signoffs", q_signoff_completed),
]
BY_KEY = {m.key: m for m in METRICS}
COUNT_KEYS = [m.key for m in METRICS]
DURATION_KEYS = [d[0] for f in FAMILIES.values() for d in f.durations]


def family_counts(family, month, now, estate_ids):
    """{(estate_id, person_id): {metric: n, duration key: [days]}} for one family: two queries at most,
    whatever the number of estates. `estate_ids` None means every estate."""
    T = month.cutoff(now)
    metrics = [m for m in METRICS if m.family == family.key]
    model = family.model_class
    qs = model.objects.all() if estate_ids is None else model.objects.filter(estate_id__in=estate_ids)
    cells = {}
    where = family.window(month, T) if family.window else reduce(or_, (m.q(month, T) for m in metrics))
    person = family.person
    grouped = qs.filter(where).order_by()
    if "__" in person:
        # a person on a related row: a correlated lookup by primary key per selected row is cheaper than
        # joining the whole related table (callbacks -> issues)
        relation, field = person.split("__", 1)
        related = model._meta.get_field(relation).related_model
        grouped = grouped.annotate(
            _person=Subquery(related.objects.filter(pk=OuterRef(f"{relation}_id")).values(field)[:1])
        )
        person = "_person"
    rows = grouped.values("estate_id", person).annotate(**{m.key: Count("pk", filter=m.q(month, T)) for m in metrics})
    for row in rows:
        key = (row["estate_id"], row[person])
        cells[key] = {m.key: row[m.key] for m in metrics}
    day = datetime.timedelta(days=1)
    for fig_key, metric_key, start, end in family.durations:
        q = BY_KEY[metric_key].q(month, T)
        spans = (
            qs.filter(q, **{f"{start}__isnull": False, f"{end}__isnull": False})
            .order_by()
            .annotate(_span=ExpressionWrapper(F(end) - F(start), output_field=DurationField()))
            .values_list("estate_id", family.person, "_span")
        )
        for estate_id, who, span in spans:
            cell = cells.setdefault((estate_id, who), {m.key: 0 for m in metrics})
            cell.setdefault(fig_key, []).append(round(span / day, 3))
    return cells


def all_counts(month, now, estate_ids):
    """Cells of every family merged: {(estate_id, person_id): figures}."""
    merged = {}
    for family in FAMILIES.values():
        for key, fig in family_counts(family, month, now, estate_ids).items():
            add_into(merged.setdefault(key, {}), fig)
    return merged


def add_into(target, fig):
    for k, v in fig.items():
        if isinstance(v, list):
            target.setdefault(k, []).extend(v)
        else:
            target[k] = target.get(k, 0) + v
    return target


# --- the drill-down: the same Q -------------------------------------------------------------------------


def person_q(family, user_id, director_estate_ids):
    """Records attributed to a staff member: theirs, and those with nobody named at the estates they direct
    (the office director owns the liaison, §3.1)."""
    return Q(**{family.person: user_id}) | Q(**{f"{family.person}__isnull": True, "estate_id__in": director_estate_ids})


def records_for(metric_key, month, now, *, estate_ids, user_id=None, director_estate_ids=()):
    """The records behind one figure: the metric's Q, for the estates (and the staff member) asked."""
    metric = BY_KEY[metric_key]
    family = FAMILIES[metric.family]
    qs = family.model_class.objects.filter(metric.q(month, month.cutoff(now)), estate_id__in=estate_ids)
    if user_id is not None:
        qs = qs.filter(person_q(family, user_id, director_estate_ids))
    return qs.select_related(*family.select_related)
