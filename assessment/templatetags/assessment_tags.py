from django import template
from django.urls import NoReverseMatch

from assessment.compute import can_view

register = template.Library()


@register.filter
def sees_assessment(user):
    """The menu entry: leaders, assessors, administrators and directors only."""
    return can_view(user)


@register.filter
def record_url(obj):
    """The record's own page, or "" when its app does not offer one (yet)."""
    try:
        return obj.get_absolute_url()
    except (AttributeError, NoReverseMatch):
        return ""
