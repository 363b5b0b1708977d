"""The meetings panel on the home page: approvals waiting, my invitations, today's meetings, minutes
to distribute and, per estate, what the cadence needs next and by when."""

import datetime
from collections import namedtuple

from liaison import rawsql
from liaison.links import object_url
from liaison.views import home_scope

from . import actions, cadence, periods
from .models import CadenceRule, Invitation, Meeting

_STATUS_ORDER = {"at_risk": 0, "open": 1, "missed": 2, "met": 3}
_SCHEDULED = (Meeting.Status.CONFIRMED, Meeting.Status.AWAITING_APPROVAL)
_LIMIT = 10


_RULE_FIELDS = (
    *("id", "estate_id", "code", "name", "committee_kind", "min_count"),
    *("period", "day_from", "day_to", "at_risk_days"),
)
# the active rules of some estates, a row per rule and meeting kind that counts (none: NULL); with the
# {committee} condition, only rules whose committee type the estate has
_RULES = f"""
SELECT {", ".join("r." + f for f in _RULE_FIELDS)}, k.meetingkind_id
FROM meetings_cadencerule r
LEFT JOIN meetings_cadencerule_kinds k ON k.cadencerule_id = r.id
WHERE r.active AND {{estates}}{{committee}}
ORDER BY r.estate_id, r.committee_kind, r.code, k.meetingkind_id
"""
_HAS_COMMITTEE = (
    " AND EXISTS (SELECT 1 FROM liaison_committee c WHERE c.estate_id = r.estate_id AND c.kind = r.committee_kind)"
)


def _rules(ids, committee_kinds=None):
    """The active rules of these estates whose committee type the estate has (cadence.due_next skips
    the others), each with `kind_ids`: the meeting kinds that count. One query (a row per rule and kind).
    `committee_kinds` ({estate id: its committees' types}, known to the home page) spares the query its
    EXISTS on committees."""
    estates, params = rawsql.within("r.estate_id", ids)
    sql = _RULES.format(estates=estates, committee="" if committee_kinds is not None else _HAS_COMMITTEE)
    rules = {}
    for *fields, counted_kind in rawsql.select(sql, params):
        rule = rules.get(fields[0])
        if rule is None:
            rule = rawsql.instance(CadenceRule, dict(zip(_RULE_FIELDS, fields, strict=True)))
            if committee_kinds is not None and rule.committee_kind not in committee_kinds[rule.estate_id]:
                continue
            rule.kind_ids = set()
            rules[rule.pk] = rule
        if counted_kind is not None:
            rule.kind_ids.add(counted_kind)
    return list(rules.values())


# the meetings of some estates in [start, end), not cancelled, with their committee's type
_WINDOW_MEETINGS = f"""
SELECT m.estate_id, c.kind, m.kind_id, m.starts_at, m.status, m.attendance_recorded_at
FROM meetings_meeting m JOIN liaison_committee c ON c.id = m.committee_id
WHERE {{estates}} AND m.starts_at >= %s AND m.starts_at < %s AND m.status <> '{Meeting.Status.CANCELLED}'
"""


def due_next_by_estate(estates, now, committee_kinds=None):
    """{estate id: rows}: for each estate what `cadence.due_next(estate, now)` gives (same rows, same
    order), read in two queries however many estates and rules there are (due_next counts meetings
    twice per rule and estate: the director's home page made 36 COUNT queries). `committee_kinds`:
    {estate id: the types of committee it has}, if known (_rules)."""
    ids = [e.pk for e in estates]
    out = {pk: [] for pk in ids}
    if not ids:
        return out
    today = periods.local_date(now)
    rules = _rules(ids, committee_kinds)
    if not rules:
        return out
    windows = {rule.pk: cadence.rule_period(rule, today) for rule in rules}
    # the meetings of all these windows at once (the same filter as cadence.counts), counted below per
    # rule among those of the rule's estate and committee type, each as its local day
    meetings = {}
    estates, params = rawsql.within("m.estate_id", ids)
    first = periods.start_of_day(min(start for start, _ in windows.values()))
    last = periods.start_of_day(max(end for _, end in windows.values()) + datetime.timedelta(days=1))
    tz = periods.local_tz()
    for estate_id, committee_kind, kind_id, starts_at, status, attended_at in rawsql.select(
        _WINDOW_MEETINGS.format(estates=estates), [*params, rawsql.param(first), rawsql.param(last)]
    ):
        starts_at = rawsql.aware(starts_at)
        meetings.setdefault((estate_id, committee_kind), []).append(
            (kind_id, starts_at.astimezone(tz).date(), status, attended_at is not None, starts_at >= now)
        )
    for rule in rules:
        start, end = windows[rule.pk]
        held = scheduled = 0
        for kind_id, day, status, attended, upcoming in meetings.get((rule.estate_id, rule.committee_kind), ()):
            if kind_id not in rule.kind_ids or not start <= day <= end:
                continue
            if attended:
                held += 1
            elif status in _SCHEDULED and upcoming:
                scheduled += 1
        status, closed = periods.status_for(
            held=held,
            scheduled=scheduled,
            required=rule.min_count,
            period_end=end,
            today=today,
            at_risk_days=rule.at_risk_days,
            grace_days=cadence.grace_days(),
        )
        out[rule.estate_id].append(
            {
                "rule": rule,
                "start": start,
                "end": end,
                "days_left": (end - today).days,
                "remaining": max(0, rule.min_count - held),
                "held": held,
                "scheduled": scheduled,
                "status": status,
                "closed": closed,
            }
        )
    for rows in out.values():
        rows.sort(key=lambda r: (_STATUS_ORDER.get(r["status"], 9), r["end"]))
    return out


def _visible(scope, alias="m"):
    """actions.visible_meetings(user) as an SQL condition on the meetings aliased `alias`, with the ids
    the home page read once (a committee sees a meeting only once it has been sent to it)."""
    cond, params = scope.where(f"{alias}.estate_id", f"{alias}.committee_id")
    if scope.user.is_committee:
        cond += f" AND {alias}.sent_at IS NOT NULL"
    return cond, params


Listed = namedtuple("Listed", "pk title starts_at url estate_name", defaults=("",))
Invited = namedtuple("Invited", "pk response_label respond_url meeting")
MinutesDue = namedtuple("MinutesDue", "pk title minutes_due_at minutes_url")

# the panel's lists in one query (a UNION ALL of one SELECT per list, each with its own order and
# limit; the round trips cost more than the rows): (list, meeting id, title, time, invitation id,
# answer, estate name)
_NO_INVITATION = "CAST(NULL AS BIGINT), CAST(NULL AS VARCHAR(10))"  # typed: PostgreSQL reads a bare NULL as text
_LISTS = {
    "approvals": f"""
        SELECT 'approvals', m.id, m.title, m.starts_at, {_NO_INVITATION}, NULL FROM meetings_meeting m
        WHERE m.status = '{Meeting.Status.AWAITING_APPROVAL}' AND {{visible}} ORDER BY m.starts_at, m.id LIMIT %s""",
    # the user's invitations to confirmed meetings still ahead that they do not organise themselves
    "invitations": f"""
        SELECT 'invitations', m.id, m.title, m.starts_at, i.id, i.response, CAST(NULL AS VARCHAR(100))
        FROM meetings_invitation i JOIN meetings_meeting m ON m.id = i.meeting_id
        WHERE i.user_id = %s AND m.status = '{Meeting.Status.CONFIRMED}' AND m.starts_at >= %s AND {{visible}}
          AND (m.organizer_id IS NULL OR m.organizer_id <> %s)
        ORDER BY m.starts_at, i.id LIMIT %s""",
    "today": f"""
        SELECT 'today', m.id, m.title, m.starts_at, {_NO_INVITATION}, e.name
        FROM meetings_meeting m JOIN liaison_estate e ON e.id = m.estate_id
        WHERE m.starts_at >= %s AND m.starts_at < %s AND m.status <> '{Meeting.Status.CANCELLED}' AND {{visible}}
        ORDER BY m.starts_at, m.id LIMIT %s""",
    # meetings of the estates they manage whose minutes are due and not yet distributed
    "minutes_due": f"""
        SELECT 'minutes_due', m.id, m.title, m.minutes_due_at, {_NO_INVITATION}, NULL FROM meetings_meeting m
        WHERE m.minutes_closed_at IS NULL AND m.minutes_due_at IS NOT NULL AND {{managed}} AND {{visible}}
        ORDER BY m.minutes_due_at, m.id LIMIT %s""",
}


def _lists(scope, now, names):
    """{name: rows} of the lists `names` (of _LISTS) the user may see: one query."""
    visible, visible_params = _visible(scope)
    today = periods.local_date(now)
    day = [rawsql.param(periods.start_of_day(today)), rawsql.param(periods.start_of_day(today + datetime.timedelta(1)))]
    user = scope.user.pk
    managed, managed_params = scope.managed_where("m.estate_id")
    params = {
        "approvals": [*visible_params, _LIMIT],
        "invitations": [user, rawsql.param(now), *visible_params, user, _LIMIT],
        "today": [*day, *visible_params, _LIMIT],
        "minutes_due": [*managed_params, *visible_params, _LIMIT],
    }
    sql = " UNION ALL ".join(
        f"SELECT * FROM ({_LISTS[name].format(visible=visible, managed=managed)}) AS {name}" for name in names
    )
    out = {name: [] for name in names}
    for listed, *row in rawsql.select(sql, [p for name in names for p in params[name]]):
        out[listed].append(row)
    for rows in out.values():
        rows.sort(key=lambda r: (rawsql.aware(r[2]), r[3] or r[0]))  # each list's own order
    return out


def _approvals(rows):
    return [Listed(pk, title, rawsql.aware(at), object_url("meetings:detail", pk)) for pk, title, at, *_ in rows]


def _invitations(rows):
    labels = dict(Invitation.Response.choices)
    return [
        Invited(
            pk,
            labels.get(response, response),
            object_url("meetings:respond", pk),
            Listed(meeting, title, rawsql.aware(at), object_url("meetings:detail", meeting)),
        )
        for meeting, title, at, pk, response, _estate in rows
    ]


def _today(rows):
    return [
        Listed(pk, title, rawsql.aware(at), object_url("meetings:detail", pk), estate)
        for pk, title, at, _invitation, _response, estate in rows
    ]


def _minutes_due(rows):
    return [MinutesDue(pk, title, rawsql.aware(at), object_url("meetings:minutes", pk)) for pk, title, at, *_ in rows]


def panel(request, now):
    user = request.user
    if not user.is_authenticated:
        return None
    scope = home_scope(request)
    manages = not user.is_committee and not user.sees_all_estates  # those who see every estate have the cadence page
    names = [*(["approvals"] if actions.can_approve(user) else []), "invitations", "today"]
    lists = _lists(scope, now, [*names, *(["minutes_due"] if manages else [])])
    ctx = {
        "template": "meetings/home_panel.html",
        "approvals": _approvals(lists.get("approvals", ())),
        "invitations": _invitations(lists["invitations"]),
        "today": _today(lists["today"]),
        "minutes_due": _minutes_due(lists.get("minutes_due", ())),
        "due": [],
    }
    if manages:
        # the estates they manage
        estates = [e for e in scope.estates if e.managed][:_LIMIT]
        due = due_next_by_estate(estates, now, {e.pk: e.committee_kinds for e in estates})
        ctx["due"] = [
            {"estate": estate, "rules": [r for r in due[estate.pk] if r["status"] != "met"]} for estate in estates
        ]
    if not any(ctx[k] for k in ("approvals", "invitations", "today", "minutes_due", "due")):
        return None
    return ctx
