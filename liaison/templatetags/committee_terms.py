"""{% term_flag committee %}: the committee's term lapsed (or ends soon), by liaison.terms.term_lapsed,
the one rule the estate, home and sign-off pages show."""

from django import template
from django.utils import timezone

from .. import terms

register = template.Library()

# the flag warns from the second reminder on (liaison.terms.THRESHOLDS)
SOON_DAYS = 90


@register.inclusion_tag("liaison/_term_flag.html", takes_context=True)
def term_flag(context, committee):
    now = context.get("now") or timezone.now()
    left = terms.days_left(committee, now)
    return {
        "committee": committee,
        "lapsed": terms.term_lapsed(committee, now),
        "soon": left is not None and 0 <= left <= SOON_DAYS,
        "days": left,
    }
