"""notify() and notify_group(): the one way the apps send a message.

Call them inside the transaction of the event. notify() stores one Notification per recipient (the
in-portal inbox) and one Delivery per outside channel the recipient wants; notify_group() stores one
GroupMessage per estate and key and one Delivery per group robot of the estate. Keys make a repeated
call a no-op; Celery delivers after commit. Texts may be lazy translations with %(name)s params:
they are rendered in every language the portal offers (the recipient's is `subject`/`body`, the
others are kept in `texts`), so the inbox and the email show the reader's language; datetime and
date params print as 12月1日 22:07 / 1 Dec 22:07 in Asia/Shanghai (group robots: the portal's
default language).

The promises that keep notifications from nagging (docs/notifications.md, "Messages that do not nag"):
- nobody is told about what they did themselves: every action passes its `actor`, who is left out of
  the recipients (the scans and other jobs pass none);
- a message is about an item (`about`, by default the page it links to); `acted_on(user, item)`,
  called by the actions that sign, answer, reply or confirm, marks the user's messages about it read;
- the email of the "can wait" kinds to committee members is held in the quiet hours (liaison.quiet)
  and bundled at the start of the next daytime window.
"""

import contextlib
import contextvars
import datetime
import logging
import urllib.parse
import zoneinfo

from celery import signature
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import dateformat, timezone, translation

from . import people, preferences, quiet, wechat
from .models import Delivery, GroupMessage, Notification, RobotWebhook, WeChatBinding

log = logging.getLogger(__name__)

# --- texts: rendered per language, times in the reader's words ----------------------------------------

# (this year, another year) for a moment and for a day; the Chinese ones as 12月1日 22:07
TIME_FORMATS = {
    "zh": ("n月j日 H:i", "Y年n月j日 H:i", "n月j日", "Y年n月j日"),
    "en": ("j M H:i", "j M Y H:i", "j M", "j M Y"),
}
_rendered_at = contextvars.ContextVar("liaison_notify_rendered_at", default=None)


def _formats():
    language = translation.get_language() or settings.LANGUAGE_CODE
    return TIME_FORMATS["zh" if language.startswith("zh") else "en"]


def format_when(value, now=None):
    """A moment as 12月1日 22:07 (Chinese) or 1 Dec 22:07 (English) in the active language, local time
    (Asia/Shanghai); the year is added when it is not the year of `now` (the message's time)."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    if isinstance(value, datetime.datetime):
        local = value.astimezone(tz) if timezone.is_aware(value) else value
        this_year, other_year = _formats()[:2]
    else:
        local = value
        this_year, other_year = _formats()[2:]
    now = now or _rendered_at.get() or timezone.now()
    reference = now.astimezone(tz) if isinstance(now, datetime.datetime) and timezone.is_aware(now) else now
    return dateformat.format(local, this_year if local.year == reference.year else other_year)


def _param(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return format_when(value)
    if value is None:
        return "—"
    if isinstance(value, (bool, int, float)):
        return value
    return str(value)  # lazy translations and Text render in the active language


def render(text, params=None):
    """`text` (a lazy translation or a string) with `params`, in the active language."""
    text = str(text)
    if not params:
        return text
    return text % {k: _param(v) for k, v in params.items()}


class Text:
    """A text with its own params, rendered when the message is (in each language): for composing
    messages, e.g. one line per deadline of an issue."""

    def __init__(self, text, params=None):
        self.text = text
        self.params = params or {}

    def __str__(self):
        return render(self.text, self.params)


class Joined:
    """Parts joined by a separator (itself possibly a lazy translation), rendered in each language."""

    def __init__(self, parts, separator="\n"):
        self.parts = list(parts)
        self.separator = separator

    def __str__(self):
        return str(self.separator).join(str(p) for p in self.parts)


@contextlib.contextmanager
def _rendering(now):
    token = _rendered_at.set(now)
    try:
        yield
    finally:
        _rendered_at.reset(token)


def _render(text, params, language, now=None):
    with translation.override(language), _rendering(now):
        return render(text, params)


def languages():
    return [code for code, _name in settings.LANGUAGES]


# --- what a message is about, and acting on it ---------------------------------------------------------


def about_key(item):
    """The item a message is about, as stored in Notification.about: its page's path (without query
    or fragment) for a model with get_absolute_url, "app.model:pk" for another model, or a path."""
    if item is None:
        return ""
    if isinstance(item, str):
        if item.startswith("/") and not item.startswith("//"):
            return urllib.parse.urlsplit(item).path[:300]
        return "" if "://" in item else item[:300]
    if hasattr(item, "get_absolute_url"):
        return about_key(item.get_absolute_url())
    return f"{item._meta.label_lower}:{item.pk}"


def acted_on(user, *items, now=None):
    """`user` acted on `items` (signed the report, answered the invitation, replied to the issue,
    confirmed the resolution…): their unread messages about them are marked read. Returns the count."""
    keys = {about_key(item) for item in items} - {""}
    if user is None or not getattr(user, "is_authenticated", False) or not keys:
        return 0
    now = now or timezone.now()
    return Notification.objects.filter(recipient=user, read_at__isnull=True, about__in=keys, created__lte=now).update(
        read_at=now
    )


# --- sending -------------------------------------------------------------------------------------------


def notify(
    recipients,
    *,
    kind,
    key,
    subject,
    body="",
    url="",
    params=None,
    estate=None,
    now=None,
    email=True,
    data=None,
    about=None,
    actor=None,
):
    """Send a message to each recipient exactly once per `key`. Returns the notifications created.

    `actor`: who did what the message is about (None for the scans and other jobs); they are not told,
    they know what they did.
    `about`: the item the message is about (default: the page `url` links to).
    """
    now = now or timezone.now()
    excluded = {actor.pk} if actor is not None and getattr(actor, "pk", None) else set()
    users = []
    seen = set(excluded)
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        users.append(user)
    if not users:
        return []
    no_email = set()
    sms_to = set()
    if email:
        no_email = preferences.users_refusing_email([u.pk for u in users], kind)
        if preferences.estate_muted(estate, Delivery.Channel.EMAIL, kind):
            no_email = {u.pk for u in users}
        # SMS: those who asked for it and have a mainland mobile, unless the estate muted SMS
        sms_to = preferences.users_wanting([u.pk for u in users], kind, "sms")
        if sms_to and not preferences.estate_muted(estate, Delivery.Channel.SMS, kind):
            sms_to = set(people.mobile_numbers([u for u in users if u.pk in sms_to]))
        else:
            sms_to = set()
        # WeChat: those who bound their account and did not turn it off, unless the estate muted it
        wechat_to = set()
        if wechat.enabled() and not preferences.estate_muted(estate, Delivery.Channel.WECHAT, kind):
            bound = set(WeChatBinding.objects.filter(user__in=[u.pk for u in users]).values_list("user_id", flat=True))
            wechat_to = preferences.users_wanting(bound, kind, "wechat")
    about = about_key(url if about is None else about)
    rendered = {}

    def texts_in(language):
        if language not in rendered:
            rendered[language] = (
                _render(subject, params, language, now)[:200],
                _render(body, params, language, now) if body else "",
            )
        return rendered[language]

    created = []
    queued = False
    for user in users:
        lang = user.language or settings.LANGUAGE_CODE
        own_subject, own_body = texts_in(lang)
        others = {}
        for other in languages():
            if other != lang:
                o_subject, o_body = texts_in(other)
                if (o_subject, o_body) != (own_subject, own_body):
                    others[other] = {"subject": o_subject, "body": o_body}
        full_key = f"{key}:u{user.pk}"[:200]
        try:
            with transaction.atomic():
                n = Notification.objects.create(
                    recipient=user,
                    estate=estate,
                    kind=kind,
                    key=full_key,
                    subject=own_subject,
                    body=own_body,
                    url=url,
                    data=data or {},
                    about=about,
                    texts=others,
                    created=now,
                )
        except IntegrityError:
            continue  # already sent for this key: exactly once
        channels = []
        if email and user.email and user.pk not in no_email:
            channels.append(Delivery.Channel.EMAIL)
        if user.pk in sms_to:
            channels.append(Delivery.Channel.SMS)
        if email and user.pk in wechat_to:
            channels.append(Delivery.Channel.WECHAT)
        if channels:
            held = quiet.held_until(user, kind, now)
            for channel in channels:
                Delivery.objects.create(
                    notification=n, channel=channel, next_attempt_at=held or now, held=held is not None
                )
            queued = queued or held is None
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
    subject, body = _render(subject, params, lang, now)[:200], (_render(body, params, lang, now) if body else "")
    try:
        with transaction.atomic():
            message = GroupMessage.objects.create(
                estate=estate,
                kind=kind,
                key=f"{key}:e{estate.pk}"[:200],
                subject=subject,
                body=body,
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
