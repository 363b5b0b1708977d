"""Who wants which channel: per-user email choices per kind, per-estate channel mutes.

The inbox is always on. Email is on unless the user turned it off for the kind's category or the
estate muted email (for that category or for all). The group robot is the estate's: it posts the
kinds its configuration accepts unless the estate muted the robot channel.
Decided when the message is stored (notify / notify_group); changing a preference later does not
recall messages already queued.
"""

from django.db import transaction
from django.db.models import Q

from .models import KIND_CATEGORIES, Delivery, EstateMute, NotificationPreference, kind_category


def users_refusing_email(user_ids, kind):
    """Ids of the users (among `user_ids`) who turned email off for this kind: one query."""
    if not user_ids:
        return set()
    return set(
        NotificationPreference.objects.filter(
            user_id__in=list(user_ids), category=kind_category(kind), email=False
        ).values_list("user_id", flat=True)
    )


def estate_muted(estate, channel, kind):
    if estate is None:
        return False
    return EstateMute.objects.filter(
        Q(category="") | Q(category=kind_category(kind)), estate=estate, channel=channel
    ).exists()


def email_choices(user):
    """[(category, label, email_on)] for the preferences page."""
    off = set(NotificationPreference.objects.filter(user=user, email=False).values_list("category", flat=True))
    return [(c, label, c not in off) for c, label in KIND_CATEGORIES]


@transaction.atomic
def save_email_choices(user, enabled_categories):
    enabled = set(enabled_categories)
    for category, _label in KIND_CATEGORIES:
        NotificationPreference.objects.update_or_create(
            user=user, category=category, defaults={"email": category in enabled}
        )


def estate_mutes(estate):
    """{channel: set of muted categories ('' = all)}"""
    mutes = {c: set() for c, _label in Delivery.Channel.choices}
    for channel, category in EstateMute.objects.filter(estate=estate).values_list("channel", "category"):
        mutes.setdefault(channel, set()).add(category)
    return mutes


@transaction.atomic
def save_estate_mutes(estate, muted):
    """`muted`: iterable of (channel, category) pairs, category '' for all kinds; replaces the estate's mutes."""
    wanted = {(ch, cat) for ch, cat in muted}
    existing = {(m.channel, m.category): m for m in EstateMute.objects.filter(estate=estate)}
    for pair, mute in existing.items():
        if pair not in wanted:
            mute.delete()
    for channel, category in wanted - set(existing):
        EstateMute.objects.create(estate=estate, channel=channel, category=category)
    return wanted
