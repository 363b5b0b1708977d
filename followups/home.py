"""The issues panel on the home page."""

from django.db.models import Count
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from liaison import rawsql
from liaison.links import object_url
from liaison.models import Role
from liaison.views import home_scope

from .deadlines import humanize
from .models import Issue
from .permissions import visible_issues

# what a row shows: the headline, estate, status and next deadline (Issue.next_deadline)
_ROW_FIELDS = ("title", "description", "estate__name", *Issue.DEADLINE_COLUMNS)


def _rows(qs, now):
    """Rows of Issue instances (department staff's panel, read through the ORM)."""
    return [_row(i.pk, i.headline, i.estate.name, i.status, i.next_deadline(), now) for i in qs]


def _row(pk, headline, estate_name, status, nxt, now):
    return {
        "pk": pk,
        "headline": headline,
        "estate_name": estate_name,
        "status": status,
        "next": nxt,
        "when": humanize(nxt[1], now) if nxt else "",
        "overdue": bool(nxt and nxt[1] < now),
    }


_ROW = '<tr class="{}"><td><a href="{}">#{} {}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>'


def _rows_html(rows):
    """The table's rows (built here: a template loop cost ~1 ms for ten rows)."""
    labels = dict(Issue.Status.choices)
    return format_html_join(
        "\n",
        _ROW,
        (
            (
                "row-overdue" if r["overdue"] else "",
                object_url("followups:detail", r["pk"]),
                r["pk"],
                r["headline"],
                r["estate_name"],
                labels.get(r["status"], r["status"]),
                r["when"],
            )
            for r in rows
        ),
    )


_STATUS_COLUMN = Issue.DEADLINE_COLUMNS.index("status")
_DEADLINES = ", ".join(f"i.{c}" for c in Issue.DEADLINE_COLUMNS)
# Issue.overdue_q(now) on an open issue, and what counts as awaiting someone: "open" (not yet
# classified) for staff, "resolved" (the committee's confirmation) for committee members
_OVERDUE = (
    "(i.triage_due_at < %s AND i.triaged_at IS NULL) OR (i.reply_due_at < %s AND i.replied_at IS NULL)"
    " OR (i.resolve_due_at < %s AND i.resolved_at IS NULL) OR i.callback_due_at < %s"
)
# open issues, next deadline first (the issue_open_list index), with the figures over all of them as
# window counts: they are read anyway for a few estates or committees
_FIRST_WITH_FIGURES = f"""
SELECT i.id, i.title, i.description, e.name, {_DEADLINES},
  COUNT(*) OVER (),
  SUM(CASE WHEN {_OVERDUE} THEN 1 ELSE 0 END) OVER (),
  SUM(CASE WHEN i.status = %s THEN 1 ELSE 0 END) OVER ()
FROM followups_issue i JOIN liaison_estate e ON e.id = i.estate_id
WHERE i.closed_at IS NULL AND {{visible}}
ORDER BY i.next_check_at, i.raised_at DESC LIMIT 10
"""
# those who see every estate (thousands of open issues): the first 10 from the index, then the figures
_FIRST = f"""
SELECT i.id, i.title, i.description, e.name, {_DEADLINES}
FROM followups_issue i JOIN liaison_estate e ON e.id = i.estate_id
WHERE i.closed_at IS NULL ORDER BY i.next_check_at, i.raised_at DESC LIMIT 10
"""
_FIGURES = f"""
SELECT COUNT(*), COALESCE(SUM(CASE WHEN {_OVERDUE} THEN 1 ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN i.status = %s THEN 1 ELSE 0 END), 0)
FROM followups_issue i WHERE i.closed_at IS NULL
"""


def _value_rows(rows, now):
    out = []
    for pk, title, description, estate_name, *columns in rows:
        nxt = Issue.next_deadline_of(*(rawsql.aware(c) for c in columns))
        status = columns[_STATUS_COLUMN]
        out.append(_row(pk, Issue.headline_of(title, description), estate_name, status, nxt, now))
    return out


def _first_rows_and_figures(scope, now, awaiting):
    """(the first 10 open issues' rows, the figures over every open issue: open, overdue and those in
    status `awaiting`), for what the home scope sees; one query, two for those who see every estate."""
    at = [rawsql.param(now)] * 4
    if scope.everything:
        rows = rawsql.select(_FIRST)
        figures = rawsql.select(_FIGURES, [*at, str(awaiting)])[0]
    else:
        visible, params = scope.where("i.estate_id", "i.committee_id")
        rows = rawsql.select(_FIRST_WITH_FIGURES.format(visible=visible), [*at, str(awaiting), *params])
        figures = rows[0][-3:] if rows else (0, 0, 0)
        rows = [row[:-3] for row in rows]
    return _value_rows(rows, now), dict(zip(("open", "overdue", "awaiting"), figures, strict=True))


def panel(request, now):
    user = request.user
    if not user.is_authenticated:
        return None
    scope = home_scope(request)
    if user.role == Role.DEPARTMENT:
        title = _("My assigned work")
        # department staff also see the issues assigned to them outside their estates: visible_issues
        open_qs = visible_issues(user).filter(closed_at__isnull=True)
        ordered = open_qs.select_related("estate").only(*_ROW_FIELDS).order_by("next_check_at", "-raised_at")
        rows = _rows(ordered.filter(assignee=user)[:15], now)
        counts = open_qs.aggregate(open=Count("pk"), overdue=Count("pk", filter=Issue.overdue_q(now)))
    elif user.is_committee:
        title = _("Our committee's issues")
        rows, counts = _first_rows_and_figures(scope, now, Issue.Status.RESOLVED)
    else:
        title = _("Open issues")
        rows, counts = _first_rows_and_figures(scope, now, Issue.Status.OPEN)
    return {
        "template": "followups/home_panel.html",
        "title": title,
        "rows": rows,
        "rows_html": _rows_html(rows),
        "open_count": counts["open"],
        "overdue_count": counts["overdue"],
        "awaiting": counts.get("awaiting", 0),
        "can_raise": user.role != Role.ASSESSOR,
    }
