from django import template
from django.utils import timezone

register = template.Library()


@register.simple_tag(takes_context=True)
def estate_meetings(context, estate):
    from meetings import actions, cadence

    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return None
    qs = actions.visible_meetings(request.user).filter(estate=estate).select_related("estate", "committee", "kind")
    now = timezone.now()
    return {
        "upcoming": qs.filter(starts_at__gte=now).exclude(status="cancelled").order_by("starts_at")[:10],
        "due": cadence.due_next(estate, now) if not request.user.is_committee else [],
        "can_create": actions.can_manage(request.user, estate),
    }


@register.simple_tag(takes_context=True)
def committee_meetings(context, committee):
    from meetings import actions

    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return None
    qs = (
        actions.visible_meetings(request.user).filter(committee=committee).select_related("estate", "committee", "kind")
    )
    return {
        "meetings": qs.order_by("-starts_at")[:15],
        "can_create": actions.can_manage(request.user, committee.estate),
    }
