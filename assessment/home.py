"""Home page panel: managers who close months see last month's state, and each estate's traffic light
and top problem in place of the plain estate cards (issue 18)."""

from . import compute as comp
from . import standing
from .months import Month

HOME_ESTATE_CARDS = 50  # as liaison.views.HOME_ESTATE_CARDS: the rest are a click away
CARD_ORDER = {"red": 0, "amber": 1, "green": 2, None: 3}


def _cards(figs, month):
    """[{"row", "light", "label", "sign", "problem", "problem_url", "reason"}] of the first estates of
    `figs`, those needing attention first (red, amber, green, without data; by name within each): the
    month's scores as ranked, the figures of the cards shown only."""
    limits = standing.thresholds()
    rows = sorted(
        figs.estates, key=lambda r: (CARD_ORDER[standing.light("score", r.derived.get("score"), limits)], r.name)
    )
    rows = rows[:HOME_ESTATE_CARDS]
    comp.load_figures(figs, rows)
    cards = []
    for r in rows:
        lt = standing.light("score", r.derived.get("score"), limits)
        top = standing.problems(r.figures)
        cards.append(
            {
                "row": r,
                "light": lt,
                "label": standing.LIGHT_LABELS[lt],
                "sign": standing.LIGHT_SIGNS[lt],
                "problem": top[0] if top else None,
                "problem_url": standing.problem_url(top[0], month, estate=r.id) if top else "",
                "reason": standing.no_data_reason(r.figures) if r.derived.get("score") is None else "",
            }
        )
    return cards


def panel(request, now):
    if not comp.can_close(request.user):
        return None
    month = Month.default(now)
    figs = comp.month_figures(month, request.user, now, cadence=False, lazy=True)
    return {
        "template": "assessment/home_panel.html",
        "month": month,
        "closed": figs.closed,  # read with the figures (no query of its own)
        # liaison's home shows these in place of its estate cards (committee names)
        "estate_cards_template": "assessment/home_estate_cards.html",
        "cards": _cards(figs, month),
    }
