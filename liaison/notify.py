"""notify(): the one way the apps send a message to people.

Call it inside the transaction of the event. It stores one Notification per recipient (the in-portal
inbox) and one Delivery per outside channel, keyed so that a repeated call changes nothing, and asks
Celery to deliver after commit. Texts are lazy translations rendered in each recipient's language.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from .models import Delivery, Notification


def _render(text, params, language):
    with translation.override(language):
        text = str(text)
        return text % params if params else text


def notify(recipients, *, kind, key, subject, body="", url="", params=None, estate=None, now=None, email=True):
    """Send a message to each recipient exactly once per `key`. Returns the notifications created."""
    now = now or timezone.now()
    created = []
    seen = set()
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        lang = user.language or settings.LANGUAGE_CODE
        full_key = f"{key}:u{user.pk}"[:200]
        try:
            with transaction.atomic():
                n = Notification.objects.create(
                    recipient=user,
                    estate=estate,
                    kind=kind,
                    key=full_key,
                    subject=_render(subject, params, lang)[:200],
                    body=_render(body, params, lang) if body else "",
                    url=url,
                    created=now,
                )
        except IntegrityError:
            continue  # already sent for this key: exactly once
        if email and user.email:
            Delivery.objects.create(notification=n, channel=Delivery.Channel.EMAIL, next_attempt_at=now)
        created.append(n)
    if created:
        from .tasks import deliver_pending

        transaction.on_commit(lambda: _enqueue(deliver_pending))
    return created


def _enqueue(task):
    # The broker may be down: the outbox rows stay in the database and the periodic
    # deliver_pending job picks them up, so a failed enqueue loses nothing.
    try:
        task.apply_async(retry=False)
    except Exception:  # noqa: BLE001
        import logging

        logging.getLogger(__name__).warning("broker unavailable; delivery deferred to the periodic job")


def notify_group(estate, *, kind, key, subject, body="", url="", params=None, now=None):
    """Post a message to the estate's group-robot webhook(s) once per key (WeCom/DingTalk/Feishu).

    Interface fixed for the apps; delivery is built by the notifications work (issue 7).
    """
    return []
