"""A fixed-window counter in the cache, for public forms that need no login (e.g. the signed-document
check): `allow("verify", ip, limit=30, window=600)` is False once that client has used its 30 tries in
the current 10-minute window. With Redis as the cache (production) the count is shared by every
gunicorn worker; with the per-process default cache it is per process (still a bound)."""

import time

from django.core.cache import cache

from . import clientip


def client_ip(request):
    """The client's address (behind a trusted proxy, from X-Forwarded-For: liaison.clientip)."""
    return clientip.client_ip(request) or "unknown"


def parse(rate):
    """ "30/600" -> (30, 600): tries per window in seconds."""
    count, _sep, seconds = str(rate).partition("/")
    return int(count), int(seconds or 60)


def allow(scope, who, *, limit, window, now=None):
    now = time.time() if now is None else now
    key = f"ratelimit:{scope}:{who}:{int(now // window)}"
    if cache.add(key, 1, timeout=window + 5):
        return True
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 5)
        return True


def _window_key(scope, who, window, now):
    return f"ratelimit:{scope}:{who}:{int(now // window)}"


def take(scope, who, *, limit, window, now):
    """Reserve one try before acting (so concurrent tries cannot all slip under the limit): True while the
    window's count is within `limit`. `give_back` returns the try when it did not count (a success).
    A cache that cannot be reached refuses (False): the limit guards a guessable secret."""
    key = _window_key(scope, who, window, now)
    try:
        if cache.add(key, 1, timeout=window + 5):
            return 1 <= limit
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr
        return cache.add(key, 1, timeout=window + 5) and 1 <= limit
    except Exception:  # noqa: BLE001 - the cache (Redis) is down
        import logging

        logging.getLogger(__name__).warning("rate limit %s: the cache is unreachable; refusing", scope)
        return False


def give_back(scope, who, *, window, now):
    try:
        cache.decr(_window_key(scope, who, window, now))
    except Exception:  # noqa: BLE001 - expired, or the cache is down: nothing to give back
        pass


def used(scope, who, *, window, now):
    """How many tries the window has counted (0 when none or the cache is down)."""
    try:
        return cache.get(_window_key(scope, who, window, now), 0)
    except Exception:  # noqa: BLE001
        return 0
