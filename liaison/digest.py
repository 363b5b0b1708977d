"""The daily digest for directors and leaders (08:00 Asia/Shanghai).

Each app may provide `<app>/digest.py` with `items(user, now)` returning a list of
{"section": "due_today" | "overdue" | "at_risk" | "awaiting", "text": str, "url": str}.
Modules are imported lazily and a missing one is skipped; an app whose items() fails is logged and
skipped so that one app cannot stop everybody's digest. One digest per user per local day: the
DigestRun row (unique on user and day) is claimed in the same transaction as the message, so
running the job twice, concurrently or late (catch-up after downtime) sends each digest once.
A day with nothing to report sends nothing (the run is still recorded).
"""

import datetime
import logging
import zoneinfo
from importlib import import_module

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _

from .models import DigestRun, Notification, Role, User
from .notify import notify

log = logging.getLogger(__name__)

SOURCES = ["meetings.digest", "followups.digest", "records.digest"]
SECTIONS = [
    ("due_today", _("Due today")),
    ("overdue", _("Overdue")),
    ("at_risk", _("At risk")),
    ("awaiting", _("Awaiting approval or signature")),
]
SECTION_KEYS = [k for k, _label in SECTIONS]
DIGEST_TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
DIGEST_HOUR = 8
DIGEST_ROLES = [Role.DIRECTOR, Role.LEADER]


def local_day(now):
    return now.astimezone(DIGEST_TZ).date()


def recipients():
    return User.objects.filter(is_active=True, role__in=DIGEST_ROLES)


def _source(path):
    try:
        return import_module(path)
    except ModuleNotFoundError as exc:
        if exc.name and path.startswith(exc.name):
            return None  # the app has no digest (yet)
        raise


def collect(user, now):
    """The user's items from every app, grouped: {section: [{"text", "url"}]} (empty sections left out)."""
    grouped = {k: [] for k in SECTION_KEYS}
    for path in SOURCES:
        try:
            module = _source(path)
            if module is None or not hasattr(module, "items"):
                continue
            with transaction.atomic():  # a database error in one app must not spoil the transaction
                items = list(module.items(user, now) or [])
        except Exception:  # noqa: BLE001
            log.exception("digest source %s failed for user %s", path, user.pk)
            continue
        for item in items:
            section = item.get("section") if isinstance(item, dict) else None
            if section not in grouped or not item.get("text"):
                log.warning("digest source %s gave an unusable item: %r", path, item)
                continue
            url = str(item.get("url") or "")
            if not url.startswith("/") or url.startswith("//"):
                url = ""  # only links inside the portal
            grouped[section].append({"text": str(item["text"]), "url": url})
    return {k: v for k, v in grouped.items() if v}


def digest_text(grouped):
    lines = []
    for key, label in SECTIONS:
        if key not in grouped:
            continue
        lines.append(f"【{label}】" if translation.get_language().startswith("zh") else f"[{label}]")
        for item in grouped[key]:
            lines.append(f"- {item['text']}")
        lines.append("")
    return "\n".join(lines).strip()


def send_digest(user, now):
    """Claim and send today's digest for one user. Returns the Notification, or None."""
    day = local_day(now)
    lang = user.language or "zh-hans"
    try:
        with transaction.atomic():
            run = DigestRun.objects.create(user=user, day=day, created=now)
            with translation.override(lang):
                grouped = collect(user, now)
                if not grouped:
                    return None
                labels = dict(SECTIONS)
                sections = [
                    {"key": k, "label": str(labels[k]), "items": grouped[k]} for k in SECTION_KEYS if k in grouped
                ]
                count = sum(len(v) for v in grouped.values())
                params = {"date": formats.date_format(day, "DATE_FORMAT"), "count": count}
                body = digest_text(grouped)
                # rendered here, not by notify(): the body may contain "%" from the apps' texts
                subject = str(_("Daily digest for %(date)s: %(count)s items")) % params
            created = notify(
                [user],
                kind="digest",
                key=f"digest:{day.isoformat()}",
                subject=subject,
                body=body,
                data={"sections": sections, "day": day.isoformat()},
                now=now,
            )
            run.items = count
            run.save(update_fields=["items"])
            if not created:
                return None
            n = created[0]
            n.url = reverse("inbox_detail", args=[n.pk])
            Notification.objects.filter(pk=n.pk).update(url=n.url)
            return n
    except IntegrityError:
        return None  # another run claimed this user's digest for the day


def send_digests(now):
    """The periodic job. Before 08:00 local time it does nothing; after, it sends the day's missing digests."""
    local = now.astimezone(DIGEST_TZ)
    if local.time() < datetime.time(DIGEST_HOUR):
        return 0
    done = DigestRun.objects.filter(day=local.date()).values("user_id")
    sent = 0
    for user in recipients().exclude(pk__in=done).order_by("pk"):
        if send_digest(user, now):
            sent += 1
    return sent
