"""The important matters' time rules (seed 000 §4.1.6), plain functions: by when a matter of a kind must
be raised with the 业委会, and when it is reminded and escalated (the kind's MatterPolicy, admin →
important-matter policies; 0 days = by the end of the day it became known, Asia/Shanghai)."""

import datetime

from django.utils import timezone

from .models import MatterKind, MatterPolicy

# when no policy row exists for a kind (the migration installs one per kind): §4.1.6 "promptly"
FALLBACK_DAYS = {MatterKind.ACCIDENT: 0}
FALLBACK_REMIND_HOURS = {MatterKind.ACCIDENT: 2}
DEFAULT_DAYS = 3
DEFAULT_REMIND_HOURS = 24
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)  # a phone clock a little ahead


def policy_for(kind):
    return MatterPolicy.objects.filter(kind=kind).first()


def end_of_day(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


def default_raise_by(kind, known_at, policy=None):
    policy = policy or policy_for(kind)
    days = policy.raise_within_days if policy else FALLBACK_DAYS.get(kind, DEFAULT_DAYS)
    return end_of_day(timezone.localtime(known_at).date() + datetime.timedelta(days=days))


def remind_before(matter, policy=None):
    policy = policy or policy_for(matter.kind)
    hours = policy.remind_before_hours if policy else FALLBACK_REMIND_HOURS.get(matter.kind, DEFAULT_REMIND_HOURS)
    return datetime.timedelta(hours=hours)


def escalate_after(matter, policy=None):
    policy = policy or policy_for(matter.kind)
    return datetime.timedelta(hours=policy.escalate_after_hours if policy else 0)
