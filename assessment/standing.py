"""How an estate (or the company) stands in a month: traffic lights, what is missing, the top problems.

One source for the month view, the leader's home, the Excel file and the PDF: each reads a row's figures
through these functions, so a colour, a "no data" mark or a problem count cannot differ between them.

- `light(key, value)`: green / amber / red of one figure against its threshold (settings
  `ASSESSMENT_THRESHOLDS`, merged over `DEFAULT_THRESHOLDS`); the score's light is the estate's.
- `basis(figures, weights)`: the score's components with data (used) and without (missing): the score
  is computed over the used ones only (scoring.score), and the page says so.
- `no_data_reason(figures)`: why an estate has no score this month (None when it has one).
- `problems(figures)`: the month's problems, largest first, each with its count and the drill-down
  (an existing list: records of a metric, or the cadence periods by status).
"""

import dataclasses

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import metrics, scoring

# green when the figure is at least the first number, amber when at least the second, else red; for
# a figure where less is better (overdue issues) green at most the first, amber at most the second
DEFAULT_THRESHOLDS = {
    "score": (85, 70),
    "cadence_pct": (100, 80),
    "reply_pct": (90, 75),
    "callback_pct": (90, 75),
    "minutes_pct": (90, 75),
    "satisfaction_pct": (80, 60),
    "overdue": (0, 2),
}
LOWER_IS_BETTER = {"overdue"}
LIGHTS = ("green", "amber", "red")
LIGHT_LABELS = {
    "green": pgettext_lazy("traffic light", "Green"),
    "amber": pgettext_lazy("traffic light", "Amber"),
    "red": pgettext_lazy("traffic light", "Red"),
    None: _("No data"),
}
# a sign beside the colour, so a cell does not speak by colour alone
LIGHT_SIGNS = {"green": "✓", "amber": "!", "red": "✗", None: ""}


def thresholds():
    merged = dict(DEFAULT_THRESHOLDS)
    merged.update(getattr(settings, "ASSESSMENT_THRESHOLDS", {}) or {})
    return merged


def light(key, value, limits=None):
    """ "green" / "amber" / "red" for `value` of figure `key`; None without a value or a threshold."""
    limits = thresholds() if limits is None else limits
    if value is None or key not in limits:
        return None
    good, fair = limits[key]
    if key in LOWER_IS_BETTER:
        return "green" if value <= good else "amber" if value <= fair else "red"
    return "green" if value >= good else "amber" if value >= fair else "red"


def basis(figures, weights):
    """(components used by the score, components without data), each a list of keys in weight order;
    components weighted 0 are in neither."""
    used, missing = [], []
    for key, ratio in scoring.components(figures or {}, weights).items():
        if float(weights.get(key, 0) or 0) <= 0:
            continue
        (missing if ratio is None else used).append(key)
    return used, missing


def satisfaction_pct(figures, weights):
    ratio = scoring.components(figures or {}, weights)["satisfaction"]
    return None if ratio is None else round(100 * ratio)


def no_data_reason(figures):
    """Why a row has no score (every component without data), or None when it has one."""
    f = figures or {}
    if not any(v for v in f.values() if not isinstance(v, list)):
        return _("No cadence period due, meeting, issue, callback or report for sign-off in this month.")
    return _("Records this month, but nothing the score counts fell due (e.g. replies are due next month).")


@dataclasses.dataclass(frozen=True)
class Problem:
    key: str
    label: str
    count: int
    link: str  # a metric key, or "cadence:<status>"


# (key, label, how to count it from the figures, drill-down)
PROBLEMS = [
    ("cadence_missed", _("Cadence periods missed"), lambda g: g("cadence_missed", 0), "cadence:missed"),
    ("reply_late", _("Replies late or missing"), lambda g: g("reply_late", 0), "reply_late"),
    ("callback_late", _("Callbacks late or missing"), lambda g: g("callback_late", 0), "callback_late"),
    ("overdue", _("Overdue issues at the month's end"), lambda g: g("overdue", 0), "overdue"),
    ("minutes_late", _("Minutes late or missing"), lambda g: g("minutes_late", 0), "minutes_late"),
    ("notice_breach", _("Meetings that broke a notice rule"), lambda g: g("notice_breach", 0), "notice_breach"),
    (
        "unsigned",
        _("Reports sent for sign-off not signed"),
        lambda g: max(0, g("signoff_sent", 0) - g("signoff_completed", 0)),
        "signoff_sent",
    ),
]


def problems(figures):
    """[Problem] with a count above 0, the largest first (ties in the order of PROBLEMS)."""
    g = (figures or {}).get
    found = [Problem(key, label, count(g), link) for key, label, count, link in PROBLEMS]
    return sorted((p for p in found if p.count > 0), key=lambda p: -p.count)


def problem_url(problem, month, **query):
    """The drill-down of a problem in `month` (an estate's when `estate=` is given)."""
    if problem.link.startswith("cadence:"):
        url = reverse("assessment:cadence", args=[month.year, month.month])
        query["status"] = problem.link.removeprefix("cadence:")
    else:
        url = reverse("assessment:records", args=[month.year, month.month, problem.link])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def count_lights(rows):
    """{"green": n, "amber": n, "red": n, None: n} of rows by their score's light."""
    limits = thresholds()
    counts = dict.fromkeys((*LIGHTS, None), 0)
    for r in rows:
        counts[light("score", r.derived.get("score"), limits)] += 1
    return counts


def company_score(month, estate_ids, now):
    """The score of the estates in `estate_ids` together in `month` as stored: the closed figures, or
    the month's provisional snapshot as last computed (not recomputed here: the month view must not
    compute last month too), None when neither is there or there is no data: the "change from last
    month" of the month view. Two queries, whatever the number of estates."""
    from .models import AssessmentMonth, EstateFigures, ProvisionalRow, ProvisionalSnapshot

    if month.start > now:
        return None
    closed = AssessmentMonth.objects.filter(year=month.year, month=month.month).only("weights").first()
    total = {}
    if closed is not None:
        for fig in EstateFigures.objects.filter(closed_month=closed, estate_id__in=estate_ids).values_list(
            "figures", flat=True
        ):
            metrics.add_into(total, fig)
        return scoring.score(total, closed.weights or scoring.weights())
    snap = ProvisionalSnapshot.objects.filter(year=month.year, month=month.month).first()
    if snap is None:
        return None
    if set(snap.estate_ids) <= set(estate_ids):
        total = snap.total
    else:
        for fig in ProvisionalRow.objects.filter(snapshot=snap, user=None, estate_id__in=list(estate_ids)).values_list(
            "figures", flat=True
        ):
            metrics.add_into(total, fig)
    return scoring.score(total, scoring.weights())


def change(score, previous):
    """The change of a score from last month's (one decimal), None when either has no data."""
    if score is None or previous is None:
        return None
    return round(score - previous, 1)
