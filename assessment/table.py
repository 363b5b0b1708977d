"""The columns of the dashboard, shared by the page, the Excel file and the PDF.

A column shows a raw count (linked to the records behind it: `link` is the metric whose list it
opens, "cadence:<status>" for the rule periods) or a derived figure (percentage, median) linked to the
list it is computed from. The page's rows are template loops (assessment/_row.html); each column's
link is reversed once per page (`links`): a page's 50 rows have 1,200 linked cells.
"""

import dataclasses

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclasses.dataclass(frozen=True)
class Column:
    key: str
    label: str
    group: str
    link: str | None = None  # metric key, or "cadence:<status>"
    derived: bool = False
    unit: str = ""

    @property
    def cadence(self):
        """Links to the rule periods (assessment:cadence), filtered by `status` when it has one."""
        return self.link.startswith("cadence:")

    @property
    def plan(self):
        """Links to the annual work plans (records), where each plan shows its months."""
        return self.link.startswith("plan:")

    @property
    def status(self):
        return self.link.removeprefix("cadence:") if self.cadence else ""


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
    # records.annual.month_by_estate: the annual work plan's items of the month not held in any month
    Column("plan_missed", _("Annual plan items missed"), G_CADENCE, "plan:missed"),
    Column("held", _("Held"), G_MEETINGS, "held"),
    Column("notice_breach", _("Notice broken"), G_MEETINGS, "notice_breach"),
    Column("special_unapproved", _("Special-topic without approval"), G_MEETINGS, "special_unapproved"),
    Column("minutes_on_time", _("Minutes in 3 days"), G_MEETINGS, "minutes_on_time"),
    Column("minutes_late", _("Minutes late"), G_MEETINGS, "minutes_late"),
    Column("resolution_overdue", _("Resolutions overdue"), G_MEETINGS, "resolution_overdue"),
    # records.ImportantMatter (§4.1.6): due in the month and not raised by the raise-by moment
    Column("matter_late", _("Important matters raised late"), G_MEETINGS, "matter_late"),
    Column("raised", pgettext_lazy("count", "Raised"), G_ISSUES, "raised"),
    Column("reply_pct", _("Replied on time"), G_ISSUES, "reply_due", derived=True, unit="%"),
    Column("reply_late", _("Replies late"), G_ISSUES, "reply_late"),
    Column("callback_pct", _("Callbacks on time"), G_ISSUES, "callback_due", derived=True, unit="%"),
    Column("callback_late", _("Callbacks late"), G_ISSUES, "callback_late"),
    Column("open", pgettext_lazy("status", "Open"), G_ISSUES, "open"),
    Column("overdue", _("Overdue"), G_ISSUES, "overdue"),
    Column("closed", _("Closed"), G_ISSUES, "closed"),
    Column("close_days", _("Median days to close"), G_ISSUES, "closed", derived=True),
    Column("signoff_sent", pgettext_lazy("count", "Sent"), G_SIGNOFF, "signoff_sent"),
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


def value(row, column):
    v = row.derived.get(column.key) if column.derived else row.figures.get(column.key, 0)
    return v


def links(month):
    """[(column, the path of its list in `month`)]: the rows add their `estate=` / `staff=` parameter
    (and a cadence column its `status=`)."""
    out = []
    for c in COLUMNS:
        if c.cadence:
            out.append((c, reverse("assessment:cadence", args=[month.year, month.month])))
        elif c.plan:
            out.append((c, reverse("records:plan_list")))
        else:
            out.append((c, reverse("assessment:records", args=[month.year, month.month, c.link])))
    return out


def cells(row, column_links):
    """[(text, column, path)]: what each column shows for the row ("—" for a figure without data)."""
    return [(_text(value(row, c), c), c, path) for c, path in column_links]


def with_cells(rows, column_links):
    """[(row, cells)] for a table's rows."""
    return [(r, cells(r, column_links)) for r in rows]


def _text(v, column):
    return "—" if v is None else f"{v}{column.unit}"
