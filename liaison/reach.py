"""Whether the last message reached a person: for the director's view of a committee's members.

"The last message" is the person's newest message that went (or is going) beyond the inbox — by email
or SMS — and "reached" is the state of each of its deliveries: sent, waiting (pending, held for the
quiet hours), failed (with the reason), or not sent because it was read first. Two queries for any
number of people.
"""

from django.db.models import OuterRef, Subquery

from .models import Delivery, Notification, User


def last_messages(users):
    """{user id: {"notification": n, "deliveries": [Delivery, …]}} for those who have one."""
    ids = [u.pk for u in users if u is not None]
    if not ids:
        return {}
    newest = (
        Notification.objects.filter(recipient=OuterRef("pk"), deliveries__isnull=False)
        .order_by("-created", "-pk")
        .values("pk")[:1]
    )
    last = dict(
        User.objects.filter(pk__in=ids).annotate(last=Subquery(newest)).exclude(last=None).values_list("pk", "last")
    )
    result = {}
    deliveries = (
        Delivery.objects.filter(notification_id__in=list(last.values()))
        .select_related("notification")
        .order_by("channel")
    )
    for d in deliveries:
        entry = result.setdefault(d.notification.recipient_id, {"notification": d.notification, "deliveries": []})
        entry["deliveries"].append(d)
    return result
