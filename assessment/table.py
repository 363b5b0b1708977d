"""The columns of the dashboard, shared by the page, the Excel file and the PDF.

A column shows a raw count (linked to the records behind it: `link` is the metric whose list it
opens, "cadence" for the rule periods) or a derived figure (percentage, median) linked to the list it
is computed from.
"""

import dataclasses
import html

from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _


@dataclasses.dataclass(frozen=True)
class Column:
    key: str
    label: str
    group: str
    link: str | None = None  # metric key, or "cadence:<status>"
    derived: bool = False
    unit: str = ""


G_CADENCE = _("Cadence")
G_MEETINGS = _("Meetings")
G_ISSUES = _("Issues")
G_SIGNOFF = _("Sign-off")
G_SAT = _("Satisfaction (callbacks)")

COLUMNS = [
    Column("cadence_due", _("Periods due"), G_CADENCE, "cadence:"),
    Column("cadence_met", _("Met"), G_CADENCE, "cadence:met"),
    Column("cadence_at_risk", _("At risk"), G_CADENCE, "cadence:at_risk"),
    Column("cadence_missed", _("Missed"), G_CADENCE, "cadence:missed"),
    Column("held", _("Held"), G_MEETINGS, "held"),
    Column("notice_breach", _("Notice broken"), G_MEETINGS, "notice_breach"),
    Column("special_unapproved", _("Special-topic without approval"), G_MEETINGS, "special_unapproved"),
    Column("minutes_on_time", _("Minutes in 3 days"), G_MEETINGS, "minutes_on_time"),
    Column("minutes_late", _("Minutes late"), G_MEETINGS, "minutes_late"),
    Column("raised", _("Raised"), G_ISSUES, "raised"),
    Column("reply_pct", _("Replied on time"), G_ISSUES, "reply_due", derived=True, unit="%"),
    Column("reply_late", _("Replies late"), G_ISSUES, "reply_late"),
    Column("callback_pct", _("Callbacks on time"), G_ISSUES, "callback_due", derived=True, unit="%"),
    Column("callback_late", _("Callbacks late"), G_ISSUES, "callback_late"),
    Column("open", _("Open"), G_ISSUES, "open"),
    Column("overdue", _("Overdue"), G_ISSUES, "overdue"),
    Column("closed", _("Closed"), G_ISSUES, "closed"),
    Column("close_days", _("Median days to close"), G_ISSUES, "closed", derived=True),
    Column("signoff_sent", _("Sent"), G_SIGNOFF, "signoff_sent"),
    Column("signoff_completed", _("Signed"), G_SIGNOFF, "signoff_completed"),
    Column("signoff_days", _("Median days to sign"), G_SIGNOFF, "signoff_completed", derived=True),
    Column("sat_satisfied", _("Satisfied"), G_SAT, "sat_satisfied"),
    Column("sat_basic", _("Basically satisfied"), G_SAT, "sat_basic"),
    Column("sat_unsatisfied", _("Unsatisfied"), G_SAT, "sat_unsatisfied"),
]


def groups():
    """[(group label, colspan)] for the two-row table header."""
    out = []
    for c in COLUMNS:
        if out and out[-1][0] == c.group:
            out[-1][1] += 1
        else:
            out.append([c.group, 1])
    return out


def head_cells():
    """(group header cells, column header cells) of the page's tables, as HTML: built once per page."""
    group_cells = "".join(f'<th colspan="{span}" class="grp">{html.escape(str(g))}</th>' for g, span in groups())
    column_cells = "".join(f"<th>{html.escape(str(c.label))}</th>" for c in COLUMNS)
    return mark_safe(group_cells), mark_safe(column_cells)  # noqa: S308 -- labels escaped


def value(row, column):
    v = row.derived.get(column.key) if column.derived else row.figures.get(column.key, 0)
    return v


class Links:
    """Drill-down URLs, reversed once per page (not once per cell)."""

    def __init__(self, month):
        args = [month.year, month.month]
        self.list_base = reverse("assessment:records", args=[*args, "METRIC"]).replace("METRIC", "{}")
        self.cadence_base = reverse("assessment:cadence", args=args)

    def parts(self, column):
        """(head, tail): the column's link of an estate or staff row is head + "estate=7" + tail.
        Ids are integers and metric keys slugs: plain formatting is safe and fast."""
        if column.link.startswith("cadence:"):
            status = column.link[8:]
            return self.cadence_base + "?", f"&status={status}" if status else ""
        return self.list_base.format(column.link) + "?", ""

    def url(self, row, column):
        head, tail = self.parts(column)
        if row.kind in ("estate", "staff"):
            return f"{head}{row.kind}={row.id}{tail}"
        return head[:-1] + ("?" + tail[1:] if tail else "")  # the total row: no row parameter


def cells(row, links):
    out = []
    for c in COLUMNS:
        out.append((_text(value(row, c), c), links.url(row, c)))
    return out


def rows_html(rows, links):
    """The table body, formatted here rather than in the template language (a page of 25 rows × 24
    linked cells is 600 cells, which the template engine renders several times slower). Names are
    escaped; the URLs are ours (a path, integer ids and slugs), so only their "&" needs escaping.
    Each column's link is split once per page around the row's `estate=`/`staff=` parameter
    (`Links.parts`, which `Links.url` also uses)."""
    parts = []
    columns = [(c, *(part.replace("&", "&amp;") for part in links.parts(c))) for c in COLUMNS]
    for r in rows:
        score = "—" if r.derived["score"] is None else r.derived["score"]
        rank = "—" if r.rank is None else r.rank
        param = f"{r.kind}={r.id}"
        tds = "".join(
            f'<td><a href="{head}{param}{tail}">{_text(value(r, c), c)}</a></td>' for c, head, tail in columns
        )
        parts.append(
            f'<tr data-{r.kind}="{r.id}"><td>{rank}</td><td class="name">{html.escape(r.name)}</td>'
            f'<td class="score">{score}</td>{tds}</tr>'
        )
    return mark_safe("".join(parts))  # noqa: S308 -- names escaped, the rest numbers and our URLs


def _text(v, column):
    return "—" if v is None else f"{v}{column.unit}"
