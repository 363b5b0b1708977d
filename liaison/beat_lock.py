"""Exactly one Celery beat: only the process holding a lock sends periodic tasks.

A second `celery beat` started by mistake (on the same machine or another one) does not schedule
anything: it waits, polling the lock, and takes over when the holder stops — at once after a clean
shutdown (the lock is released), within the lock's time-to-live after a crash or `kill -9`.

- With a Redis broker the lock is a Redis key on the broker's server: `SET key token NX PX ttl`,
  renewed on every tick (at least every ttl/3 s) by a compare-and-extend script, released on exit by a
  compare-and-delete script, so a beat never extends or deletes a lock it no longer owns.
- With the filesystem broker (development, one machine) it is an `fcntl.flock` on
  `VAR_DIR/celerybeat.lock`; the kernel releases it when the process dies.

The schedule file (shelve) is opened only once the lock is held, so two beats on one machine never
write the same file. The lock narrows the risk; it does not remove it (a holder stalled longer than the
ttl may overlap with its successor for one tick), which is why every periodic job is also safe to run
twice (each app's scan claims its rows with conditional UPDATEs / unique keys).

Environment: LIAISON_BEAT_LOCK_TTL (seconds, default 30), LIAISON_BEAT_LOCK_KEY (default
"liaison:beat-lock"; change it only to run two independent portals on one Redis database).
"""

import fcntl
import logging
import os
import socket
import uuid
from pathlib import Path

from celery.beat import PersistentScheduler

logger = logging.getLogger("liaison.beat_lock")

DEFAULT_TTL = 30.0
DEFAULT_KEY = "liaison:beat-lock"

# extend only our own lock: a holder whose key expired and was taken must not steal it back
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


def lock_ttl():
    return float(os.environ.get("LIAISON_BEAT_LOCK_TTL", DEFAULT_TTL))


def lock_key():
    return os.environ.get("LIAISON_BEAT_LOCK_KEY", DEFAULT_KEY)


class RedisLock:
    """A lease in Redis. `hold()` acquires or renews it and says whether we hold it now."""

    def __init__(self, url, key=None, ttl=None, client=None):
        import redis

        self.key = key or lock_key()
        self.ttl = ttl or lock_ttl()
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.client = client or redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.held = False

    def describe(self):
        return f"Redis key {self.key!r}"

    def holder(self):
        try:
            value = self.client.get(self.key)
        except Exception:  # noqa: BLE001
            return None
        return value.decode() if value else None

    def hold(self):
        ms = int(self.ttl * 1000)
        try:
            if self.held and self.client.eval(_RENEW, 1, self.key, self.token, ms):
                return True
            self.held = bool(self.client.set(self.key, self.token, nx=True, px=ms))
        except Exception as exc:  # noqa: BLE001 - Redis down: the broker is down too, send nothing
            logger.warning("beat lock: cannot reach Redis (%s); not scheduling until it is back", exc)
            self.held = False
        return self.held

    def release(self):
        if not self.held:
            return
        self.held = False
        try:
            self.client.eval(_RELEASE, 1, self.key, self.token)
        except Exception:  # noqa: BLE001 - it expires by itself
            pass


class FileLock:
    """An exclusive flock on a file in the var directory (one machine, filesystem broker)."""

    def __init__(self, path):
        self.path = Path(path)
        self.fd = None
        self.held = False

    def describe(self):
        return f"lock file {self.path}"

    def holder(self):
        try:
            return self.path.read_text().strip() or None
        except OSError:
            return None

    def hold(self):
        if self.held:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{socket.gethostname()}:{os.getpid()}\n".encode())
        self.fd, self.held = fd, True
        return True

    def release(self):
        if self.fd is not None:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
            finally:
                os.close(self.fd)
        self.fd, self.held = None, False


def lock_for(app):
    url = app.conf.broker_url or ""
    if url.startswith(("redis://", "rediss://")):
        return RedisLock(url)
    from django.conf import settings

    return FileLock(Path(getattr(settings, "VAR_DIR", ".")) / "celerybeat.lock")


class LockedScheduler(PersistentScheduler):
    """celery.beat.PersistentScheduler that sends tasks only while it holds the beat lock."""

    def __init__(self, *args, **kwargs):
        self.lock = kwargs.pop("lock", None)
        self._ready = False
        self._waiting_logged = False
        super().__init__(*args, **kwargs)
        if self.lock is None:
            self.lock = lock_for(self.app)
        # renew well within the ttl: beat never sleeps longer than a third of it
        self.poll_interval = max(0.5, lock_ttl() / 3)
        self.max_interval = min(self.max_interval, self.poll_interval)

    def setup_schedule(self):
        # deferred to the first tick that holds the lock (the shelve file must not be opened by two beats)
        pass

    @property
    def schedule(self):
        return self._store["entries"] if self._store is not None else {}

    @schedule.setter
    def schedule(self, value):
        self._store["entries"] = value

    def tick(self, *args, **kwargs):
        if not self.lock.hold():
            if not self._waiting_logged:
                logger.warning(
                    "beat lock: another celery beat holds the %s (%s); this one waits and schedules nothing",
                    self.lock.describe(),
                    self.lock.holder() or "unknown",
                )
                self._waiting_logged = True
            if self._ready:
                # we lost the lock: when we get it back, rebuild the heap from the stored schedule
                self._heap = None
            return self.poll_interval
        if self._waiting_logged or not self._ready:
            logger.info("beat lock: acquired the %s; scheduling", self.lock.describe())
            self._waiting_logged = False
        if not self._ready:
            super().setup_schedule()
            self._ready = True
        return super().tick(*args, **kwargs)

    def close(self):
        try:
            super().close()
        finally:
            if self.lock is not None:
                self.lock.release()

    @property
    def info(self):
        return f"{super().info}\n    . lock -> {self.lock.describe() if self.lock else '-'}"
