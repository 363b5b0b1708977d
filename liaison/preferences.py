"""Who wants which channel: per-user channel choices per kind, per-estate channel mutes.

The inbox is always on. Email is on unless the user turned it off for the kind's category or the
estate muted email (for that category or for all). SMS is off unless the user turned it on (it costs
money and rings a phone); the estate can mute it too. The group robot is the estate's: it posts the
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


# a user's channel when they have no row for the category
DEFAULTS = {"email": True, "sms": False, "wechat": True}
PERSONAL_CHANNELS = list(DEFAULTS)


def users_wanting(user_ids, kind, channel):
    """Ids of the users (among `user_ids`) who want `channel` ("email", "sms") for this kind: one query."""
    user_ids = set(user_ids)
    if not user_ids:
        return set()
    rows = dict(
        NotificationPreference.objects.filter(user_id__in=list(user_ids), category=kind_category(kind)).values_list(
            "user_id", channel
        )
    )
    return {pk for pk in user_ids if rows.get(pk, DEFAULTS[channel])}


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


def channel_choices(user):
    """{channel: [categories on]} for the preferences page."""
    rows = {p.category: p for p in NotificationPreference.objects.filter(user=user)}
    return {
        channel: [c for c, _label in KIND_CATEGORIES if getattr(rows.get(c), channel, DEFAULTS[channel])]
        for channel in PERSONAL_CHANNELS
    }


@transaction.atomic
def save_email_choices(user, enabled_categories, sms_categories=None, wechat_categories=None):
    enabled = set(enabled_categories)
    sms = None if sms_categories is None else set(sms_categories)
    wx = None if wechat_categories is None else set(wechat_categories)
    for category, _label in KIND_CATEGORIES:
        defaults = {"email": category in enabled}
        if sms is not None:
            defaults["sms"] = category in sms
        if wx is not None:
            defaults["wechat"] = category in wx
        NotificationPreference.objects.update_or_create(user=user, category=category, defaults=defaults)


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
