"""The score: a weighted mean of ratios in [0, 1], times 100.

Weights come from settings.ASSESSMENT_WEIGHTS (merged over DEFAULT_WEIGHTS: set only what changes).
A component without data that month (e.g. no replies were due) is left out and the other weights
are rescaled, so an estate is not punished or rewarded for having nothing to do. The weights used are
stored with a closed month, so its scores do not move when the settings change later.
"""

import statistics

from django.conf import settings
from django.utils.translation import gettext_lazy as _

DEFAULT_WEIGHTS = {
    "cadence": 25,  # cadence periods met (§4.1.1, §4.1.3, §4.1.5, §4.2.1.1)
    "reply": 15,  # replies within the deadline (§4.1.4.5: 3 days)
    "callback": 10,  # first callbacks within the deadline (§4.1.8: 3 days)
    "minutes": 10,  # minutes distributed within 3 days (seed 004 篇3 七.7)
    "notice": 10,  # meetings sent without breaking a notice rule (§4.1.4.2, §4.2.1.2)
    "approval": 10,  # special-topic meetings approved in advance (§4.1.4.1)
    "overdue": 10,  # open issues not overdue at the month's end (§4.1.4.6: follow up until closed)
    "signoff": 5,  # written reports sent for sign-off and signed (§4.1.7)
    "satisfaction": 5,  # committee satisfaction at callbacks
}
DEFAULT_SATISFACTION_VALUES = {"satisfied": 1.0, "basic": 0.5, "unsatisfied": 0.0}

COMPONENT_LABELS = {
    "cadence": _("Cadence met"),
    "reply": _("Replies on time"),
    "callback": _("Callbacks on time"),
    "minutes": _("Minutes on time"),
    "notice": _("Notice rules kept"),
    "approval": _("Approved in advance"),
    "overdue": _("Open issues not overdue"),
    "signoff": _("Reports signed"),
    "satisfaction": _("Satisfaction"),
}


def weights():
    merged = dict(DEFAULT_WEIGHTS)
    merged.update(getattr(settings, "ASSESSMENT_WEIGHTS", {}) or {})
    merged["_satisfaction_values"] = {
        **DEFAULT_SATISFACTION_VALUES,
        **(getattr(settings, "ASSESSMENT_SATISFACTION_VALUES", {}) or {}),
    }
    return merged


def _ratio(num, den):
    return num / den if den else None


def components(f, w):
    """{component: ratio or None} from raw figures."""
    g = f.get
    sv = w.get("_satisfaction_values", DEFAULT_SATISFACTION_VALUES)
    rated = g("sat_satisfied", 0) + g("sat_basic", 0) + g("sat_unsatisfied", 0)
    return {
        "cadence": _ratio(g("cadence_met", 0), g("cadence_met", 0) + g("cadence_missed", 0)),
        "reply": _ratio(g("reply_on_time", 0), g("reply_on_time", 0) + g("reply_late", 0)),
        "callback": _ratio(g("callback_on_time", 0), g("callback_on_time", 0) + g("callback_late", 0)),
        "minutes": _ratio(g("minutes_on_time", 0), g("minutes_on_time", 0) + g("minutes_late", 0)),
        "notice": None if not g("sent", 0) else 1 - min(1, g("notice_breach", 0) / g("sent", 0)),
        "approval": None if not g("special_held", 0) else 1 - g("special_unapproved", 0) / g("special_held", 0),
        "overdue": None if not g("open", 0) else 1 - g("overdue", 0) / g("open", 0),
        "signoff": _ratio(g("signoff_completed", 0), g("signoff_sent", 0)),
        "satisfaction": None
        if not rated
        else (
            g("sat_satisfied", 0) * sv["satisfied"]
            + g("sat_basic", 0) * sv["basic"]
            + g("sat_unsatisfied", 0) * sv["unsatisfied"]
        )
        / rated,
    }


def score(f, w):
    total = weight = 0.0
    for name, ratio in components(f, w).items():
        wt = float(w.get(name, 0) or 0)
        if ratio is None or wt <= 0:
            continue
        total += wt * ratio
        weight += wt
    return round(100 * total / weight, 1) if weight else None


def _median(values):
    return round(statistics.median(values), 1) if values else None


def _pct(num, den):
    return round(100 * num / den) if den else None


def derive(f, w):
    """What the page shows besides the raw counts: percentages, medians, components and the score."""
    g = f.get
    return {
        "reply_pct": _pct(g("reply_on_time", 0), g("reply_on_time", 0) + g("reply_late", 0)),
        "callback_pct": _pct(g("callback_on_time", 0), g("callback_on_time", 0) + g("callback_late", 0)),
        "minutes_pct": _pct(g("minutes_on_time", 0), g("minutes_on_time", 0) + g("minutes_late", 0)),
        "cadence_pct": _pct(g("cadence_met", 0), g("cadence_met", 0) + g("cadence_missed", 0)),
        "close_days": _median(g("close_days", [])),
        "signoff_days": _median(g("signoff_days", [])),
        "score": score(f, w),
    }
