from django import template
from django.utils import timezone

from liaison import access
from records import annual
from records.models import AnnualPlan

register = template.Library()


@register.simple_tag(takes_context=True)
def estate_annual_plan(context, estate):
    """The annual plan card of an estate's page: this year's plan against what was held, for the
    company's staff who see the estate (a committee member sees nothing of the plan)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated or request.user.is_committee:
        return None
    now = timezone.now()
    year = timezone.localdate(now).year
    plan = access.scope(AnnualPlan.objects.filter(estate=estate, year=year), request.user, committee=None).first()
    can_manage = access.manages_estate(request.user, estate)
    if plan is None and not can_manage:
        return None
    actual = annual.against_actual(plan, now) if plan else None
    return {"plan": plan, "year": year, "actual": actual, "can_manage": can_manage}


@register.simple_tag(takes_context=True)
def cadence_plan_month(context, rows):
    """This month of each estate's annual plan on the cadence page: [{estate, plan, month}] for the
    estates shown that have a plan this year (one call for all of them: annual.against_actual_many)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated or request.user.is_committee:
        return []
    now = timezone.now()
    today = timezone.localdate(now)
    estates = [row["estate"] for row in rows]
    plans = list(
        access.scope(
            AnnualPlan.objects.filter(estate__in=estates, year=today.year), request.user, committee=None
        ).select_related("estate")
    )
    actual = annual.against_actual_many(plans, now)
    return [
        {"estate": p.estate, "plan": p, "month": actual[p.pk]["months"][today.month - 1]}
        for p in sorted(plans, key=lambda p: p.estate.name)
    ]
