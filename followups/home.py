"""The issues panel on the home page."""

from django.db.models import Count, Q, Window
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from liaison.links import object_url
from liaison.models import Role
from liaison.views import home_scope

from .deadlines import humanize
from .models import Issue
from .permissions import visible_issues

# what a row shows: the headline, estate, status and next deadline (Issue.next_deadline)
_ROW_FIELDS = ("title", "description", "estate__name", *Issue.DEADLINE_COLUMNS)


def _visible(request):
    """visible_issues(user), with the estate or committee ids the home page read once (department
    staff also see the issues assigned to them outside their estates: visible_issues itself)."""
    user = request.user
    if user.role == Role.DEPARTMENT:
        return visible_issues(user)
    return home_scope(request).filter(Issue.objects.all())


def _rows(qs, now):
    rows = []
    for issue in qs:
        nxt = issue.next_deadline()
        rows.append(
            {
                "issue": issue,
                "next": nxt,
                "when": humanize(nxt[1], now) if nxt else "",
                "overdue": bool(nxt and nxt[1] < now),
            }
        )
    return rows


_ROW = '<tr class="{}"><td><a href="{}">#{} {}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>'


def _rows_html(rows):
    """The table's rows (built here: a template loop cost ~1 ms for ten rows)."""
    return format_html_join(
        "\n",
        _ROW,
        (
            (
                "row-overdue" if r["overdue"] else "",
                object_url("followups:detail", r["issue"].pk),
                r["issue"].pk,
                r["issue"].headline,
                r["issue"].estate.name,
                r["issue"].get_status_display(),
                r["when"],
            )
            for r in rows
        ),
    )


def _figures(now, awaiting):
    """The panel's figures: open, overdue and (unless `awaiting` is None) awaiting, as aggregates."""
    figures = {"open": Count("pk"), "overdue": Count("pk", filter=Issue.overdue_q(now))}
    if awaiting is not None:
        figures["awaiting"] = Count("pk", filter=awaiting)
    return figures


def _first_rows_and_figures(open_qs, ordered, now, awaiting, *, every_estate):
    """(the first 10 open issues' rows, the figures over every open issue) in one query: the figures
    are window aggregates over the rows the query reads anyway. For those who see every estate
    (thousands of open issues) a window would make it read every one: there the first 10 come from
    the deadline index and the figures from a count of their own."""
    if not every_estate:
        issues = list(ordered.annotate(**{k: Window(f) for k, f in _figures(now, awaiting).items()})[:10])
        if not issues:
            return [], {"open": 0, "overdue": 0, "awaiting": 0}
        first = issues[0]
        return _rows(issues, now), {"open": first.open, "overdue": first.overdue, "awaiting": first.awaiting}
    return _rows(ordered[:10], now), open_qs.aggregate(**_figures(now, awaiting))


def panel(request, now):
    user = request.user
    if not user.is_authenticated:
        return None
    open_qs = _visible(request).filter(closed_at__isnull=True)
    every_estate = home_scope(request).everything
    ordered = open_qs.select_related("estate").only(*_ROW_FIELDS).order_by("next_check_at", "-raised_at")
    if user.role == Role.DEPARTMENT:
        title = _("My assigned work")
        rows = _rows(ordered.filter(assignee=user)[:15], now)
        counts = open_qs.aggregate(**_figures(now, None))
    elif user.is_committee:
        title = _("Our committee's issues")
        rows, counts = _first_rows_and_figures(
            open_qs, ordered, now, Q(status=Issue.Status.RESOLVED), every_estate=every_estate
        )
    else:
        title = _("Open issues")
        rows, counts = _first_rows_and_figures(
            open_qs, ordered, now, Q(status=Issue.Status.OPEN), every_estate=every_estate
        )
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
