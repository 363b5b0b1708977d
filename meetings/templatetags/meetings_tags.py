from django import template
from django.utils import timezone

from liaison import access
from meetings import actions, cadence

register = template.Library()


@register.simple_tag(takes_context=True)
def estate_meetings(context, estate):
    """The meetings card of an estate's page: its coming meetings, what the cadence needs next."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return None
    qs = actions.visible_meetings(request.user).filter(estate=estate).select_related("estate", "committee", "kind")
    now = timezone.now()
    return {
        "upcoming": qs.filter(starts_at__gte=now).exclude(status="cancelled").order_by("starts_at")[:10],
        "due": cadence.due_next(estate, now) if not request.user.is_committee else [],
        "can_create": access.manages_estate(request.user, estate),
    }


@register.simple_tag(takes_context=True)
def committee_meetings(context, committee):
    """The meetings card of a committee's page."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return None
    qs = (
        actions.visible_meetings(request.user).filter(committee=committee).select_related("estate", "committee", "kind")
    )
    return {
        "meetings": qs.order_by("-starts_at")[:15],
        "can_create": access.manages_estate(request.user, committee.estate),
    }


@register.filter
def has_leader_powers(user):
    """May approve special-topic meetings (liaison.access.has_leader_powers)."""
    return access.has_leader_powers(user)


@register.filter
def resolution_overdue(resolution, now):
    """Open and past its due date at `now` (Resolution.is_overdue, the one definition)."""
    return resolution.is_overdue(now)
