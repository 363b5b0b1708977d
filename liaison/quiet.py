"""Quiet hours: reminders and digests reach committee members only in the daytime.

Committee members are volunteers: a reminder at 22:30 is a nag. Their email (and any other outside
channel) for the "can wait" kinds is held while the quiet hours last and goes out at the start of the
next daytime window, all of one person's held messages together as one (liaison.delivery bundles
them). The inbox copy is stored at once: the message exists, only its delivery waits. Deadlines keep
counting; nothing here changes when something is due.

Settings (Django settings or environment variables of the same name):

- `LIAISON_QUIET_HOURS` — the quiet period in Asia/Shanghai (`TIME_ZONE`), default "21:00-08:00"
  (the daytime window is 08:00–21:00); "" or "off" switches quiet hours off.
- `LIAISON_QUIET_HOURS_KINDS` — comma-separated kind patterns held for quiet hours (fnmatch), default
  reminders, deadline notices, cadence notices and digests (`DEFAULT_KINDS`).

Who: committee members (`User.is_committee`). Company staff have no quiet-hours setting of their own,
so their messages (escalations included) are never held.
"""

import datetime
import fnmatch
import os
import zoneinfo

from django.conf import settings

DEFAULT_HOURS = "21:00-08:00"
DEFAULT_KINDS = "*.reminder,*.due,*.overdue,*.escalated,*.at_risk,*.missed,digest,digest.*"


def _setting(name, default):
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return value


def _parse_time(text):
    hours, minutes = text.strip().split(":")
    return datetime.time(int(hours), int(minutes))


def hours():
    """(quiet from, quiet until) as local times, or None when quiet hours are off."""
    value = _setting("LIAISON_QUIET_HOURS", DEFAULT_HOURS)
    if isinstance(value, (tuple, list)):
        start, end = value
    else:
        text = str(value or "").strip()
        if not text or text.lower() in ("off", "none", "0"):
            return None
        start, end = text.replace("–", "-").split("-")
    start = start if isinstance(start, datetime.time) else _parse_time(str(start))
    end = end if isinstance(end, datetime.time) else _parse_time(str(end))
    return None if start == end else (start, end)


def kinds():
    value = _setting("LIAISON_QUIET_HOURS_KINDS", DEFAULT_KINDS)
    if isinstance(value, str):
        value = value.split(",")
    return [p.strip() for p in value if p and p.strip()]


def local_tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def applies(user, kind):
    """Whether `user`'s messages of `kind` wait for the daytime."""
    if user is None or not getattr(user, "is_committee", False):
        return False
    return any(fnmatch.fnmatchcase(kind or "", pattern) for pattern in kinds())


def window_start(now):
    """When the daytime window starts if `now` is in the quiet hours, else None (send now)."""
    quiet = hours()
    if quiet is None:
        return None
    start, end = quiet
    tz = local_tz()
    local = now.astimezone(tz)
    t = local.time()
    if start < end:  # e.g. 00:00-07:00, within one day
        in_quiet = start <= t < end
        day = local.date()
    else:  # across midnight, e.g. 21:00-08:00
        in_quiet = t >= start or t < end
        day = local.date() + datetime.timedelta(days=1) if t >= start else local.date()
    if not in_quiet:
        return None
    return datetime.datetime.combine(day, end, tzinfo=tz)


def held_until(user, kind, now):
    """The time `user`'s message of `kind` stored at `now` may go out, or None (at once)."""
    if not applies(user, kind):
        return None
    return window_start(now)
