"""The columns of the dashboard, shared by the page, the Excel file and the PDF.

A column shows a raw count (linked to the records behind it: `link` is the metric whose list it
opens, "cadence:<status>" for the rule periods) or a derived figure (percentage, median) linked to the
list it is computed from. The page's rows are template loops (assessment/_row.html); each column's
link is reversed once per page (`links`): a page's 50 rows have 1,200 linked cells.
"""

import dataclasses

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy


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


# --- the summary table (the month view's default): the score and six figures, each against its threshold


@dataclasses.dataclass(frozen=True)
class SummaryColumn:
    key: str  # the figure: a threshold key of assessment.standing, and the `?sort=` key
    label: str
    component: str  # the score's component it shows (marked when it has no data)
    link: str  # metric key, or "cadence:<status>"
    unit: str = "%"

    @property
    def cadence(self):
        return self.link.startswith("cadence:")

    @property
    def status(self):
        return self.link.removeprefix("cadence:") if self.cadence else ""


SUMMARY = [
    SummaryColumn("cadence_pct", _("Cadence met"), "cadence", "cadence:"),
    SummaryColumn("reply_pct", _("Replied on time"), "reply", "reply_due"),
    SummaryColumn("callback_pct", _("Callbacks on time"), "callback", "callback_due"),
    SummaryColumn("overdue", _("Overdue"), "overdue", "overdue", unit=""),
    SummaryColumn("minutes_pct", _("Minutes on time"), "minutes", "minutes_due"),
    SummaryColumn("satisfaction_pct", _("Satisfaction"), "satisfaction", "callbacks"),
]
SORT_KEYS = {"score", "name", *(c.key for c in SUMMARY)}


@dataclasses.dataclass(frozen=True)
class Cell:
    text: str
    light: str | None  # "green" / "amber" / "red", None without data
    sign: str
    light_label: str
    column: object
    path: str
    no_data: bool = False
    used: tuple = ()  # the score's cell: the labels of the components it used
    missing: tuple = ()  # ... and of those without data
    reason: str = ""  # ... and why there is no score at all

    @property
    def basis(self):
        return basis_text(self.used, self.missing)

    @property
    def fraction(self):
        """ "6/9": components used of those weighted."""
        return f"{len(self.used)}/{len(self.used) + len(self.missing)}" if self.used else ""


def basis_text(used, missing):
    """The words saying which components a score used (the page's tooltip, the Excel and PDF column)."""
    if not used:
        return ""
    text = _("Score from %(used)s") % {"used": "、".join(str(u) for u in used)}
    if missing:
        text += pgettext("list", "; ") + _("no data: %(missing)s") % {"missing": "、".join(str(m) for m in missing)}
    return text


def summary_value(row, column, w):
    """The figure of a summary column for a row, None when its component has no data."""
    from . import standing

    if column.key == "satisfaction_pct":
        return standing.satisfaction_pct(row.figures, w)
    if column.key == "overdue":
        return row.figures.get("overdue", 0) if row.figures.get("open", 0) else None
    return row.derived.get(column.key)


def summary_links(month):
    out = []
    for c in SUMMARY:
        if c.cadence:
            out.append((c, reverse("assessment:cadence", args=[month.year, month.month])))
        else:
            out.append((c, reverse("assessment:records", args=[month.year, month.month, c.link])))
    return out


def summary_cells(row, column_links, w, limits):
    """[Cell] of a row's summary columns: the value, its light against the threshold, the drill-down."""
    from . import standing

    out = []
    for c, path in column_links:
        v = summary_value(row, c, w)
        lt = standing.light(c.key, v, limits)
        out.append(
            Cell(
                text=str(standing.LIGHT_LABELS[None]) if v is None else f"{v}{c.unit}",
                light=lt,
                sign=standing.LIGHT_SIGNS[lt],
                light_label=str(standing.LIGHT_LABELS[lt]),
                column=c,
                path=path,
                no_data=v is None,
            )
        )
    return out


def sort_rows(rows, key, descending, w):
    """Rows ordered by a summary figure, the score or the name; rows without the figure last, in rank
    order (ties too)."""
    if key == "name":
        return sorted(rows, key=lambda r: r.name, reverse=descending)
    column = next((c for c in SUMMARY if c.key == key), None)

    def value(r):
        return r.derived.get("score") if column is None else summary_value(r, column, w)

    with_value = [r for r in rows if value(r) is not None]
    without = [r for r in rows if value(r) is None]
    with_value.sort(key=lambda r: (r.rank or 0, r.name))
    with_value.sort(key=value, reverse=descending)
    return with_value + without


def score_cell(row, limits, w):
    """The score of a row as a Cell: its light is the row's traffic light; it says which components
    it used (standing.basis) and, without a score, why (standing.no_data_reason)."""
    from . import scoring, standing

    v = row.derived.get("score")
    lt = standing.light("score", v, limits)
    used, missing = standing.basis(row.figures, w) if row.figures is not None else ([], [])
    return Cell(
        text=str(standing.LIGHT_LABELS[None]) if v is None else f"{v}",
        light=lt,
        sign=standing.LIGHT_SIGNS[lt],
        light_label=str(standing.LIGHT_LABELS[lt]),
        column=None,
        path="",
        no_data=v is None,
        used=tuple(str(scoring.COMPONENT_LABELS.get(k, k)) for k in used),
        missing=tuple(str(scoring.COMPONENT_LABELS.get(k, k)) for k in missing),
        reason=str(standing.no_data_reason(row.figures)) if v is None and row.figures is not None else "",
    )
