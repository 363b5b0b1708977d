"""notify() and notify_group(): the one way the apps send a message.

Call them inside the transaction of the event. notify() stores one Notification per recipient (the
in-portal inbox) and one Delivery per outside channel the recipient wants; notify_group() stores one
GroupMessage per estate and key and one Delivery per group robot of the estate. Keys make a repeated
call a no-op; Celery delivers after commit. Texts may be lazy translations with %(name)s params:
they are rendered in each recipient's language (group robots: the portal's default language).
"""

import logging

from celery import signature
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from . import preferences
from .models import Delivery, GroupMessage, Notification, RobotWebhook

log = logging.getLogger(__name__)


def _render(text, params, language):
    with translation.override(language):
        text = str(text)
        return text % params if params else text


def notify(
    recipients, *, kind, key, subject, body="", url="", params=None, estate=None, now=None, email=True, data=None
):
    """Send a message to each recipient exactly once per `key`. Returns the notifications created."""
    now = now or timezone.now()
    users = []
    seen = set()
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        users.append(user)
    if not users:
        return []
    no_email = set()
    if email:
        no_email = preferences.users_refusing_email([u.pk for u in users], kind)
        if preferences.estate_muted(estate, Delivery.Channel.EMAIL, kind):
            no_email = {u.pk for u in users}
    created = []
    queued = False
    for user in users:
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
                    data=data or {},
                    created=now,
                )
        except IntegrityError:
            continue  # already sent for this key: exactly once
        if email and user.email and user.pk not in no_email:
            Delivery.objects.create(notification=n, channel=Delivery.Channel.EMAIL, next_attempt_at=now)
            queued = True
        created.append(n)
    if queued:
        schedule_delivery()
    return created


def notify_group(estate, *, kind, key, subject, body="", url="", params=None, now=None):
    """Post a message to the estate's group robot(s) once per key (WeCom / DingTalk / Feishu).

    Returns [the GroupMessage] when stored now, [] when the key was already used.
    """
    if estate is None:
        return []
    now = now or timezone.now()
    lang = settings.LANGUAGE_CODE
    try:
        with transaction.atomic():
            message = GroupMessage.objects.create(
                estate=estate,
                kind=kind,
                key=f"{key}:e{estate.pk}"[:200],
                subject=_render(subject, params, lang)[:200],
                body=_render(body, params, lang) if body else "",
                url=url,
                created=now,
            )
    except IntegrityError:
        return []
    if preferences.estate_muted(estate, Delivery.Channel.WEBHOOK, kind):
        return [message]
    queued = False
    for webhook in RobotWebhook.objects.filter(estate=estate, active=True):
        if webhook.accepts(kind):
            Delivery.objects.create(
                group_message=message, webhook=webhook, channel=Delivery.Channel.WEBHOOK, next_attempt_at=now
            )
            queued = True
    if queued:
        schedule_delivery()
    return [message]


# the delivery loop (liaison/tasks.py) by its name: the task module imports delivery, which stores
# its failure alerts through notify(), so notify refers to the task without importing it
DELIVER_PENDING = "liaison.tasks.deliver_pending"


def schedule_delivery():
    """Ask Celery to run the delivery loop once the current transaction commits."""
    transaction.on_commit(enqueue_delivery)


def enqueue_delivery(**options):
    # The broker may be down: the outbox rows stay in the database and the periodic
    # deliver_pending job picks them up, so a failed enqueue loses nothing.
    try:
        signature(DELIVER_PENDING).apply_async(retry=False, **options)
    except Exception:  # noqa: BLE001
        log.warning("broker unavailable; delivery deferred to the periodic job")
