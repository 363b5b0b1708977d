"""Exactly one beat: a second `celery beat` started by mistake schedules nothing until the first stops."""

import datetime
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery

from liaison.beat_lock import FileLock, LockedScheduler, RedisLock

ROOT = Path(__file__).resolve().parents[2]


def redis_client_or_skip():
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set: the Redis beat lock needs a Redis server")
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis at REDIS_URL is unreachable: {exc}")
    return url, client


def scheduler(tmp_path, name, lock):
    """A LockedScheduler on an in-memory broker that records what it would send."""
    app = Celery(f"beat-{name}", set_as_current=False)
    app.conf.broker_url = "memory://"
    # last run long ago: due at the first tick, then not again for a minute
    long_ago = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    app.conf.beat_schedule = {"probe": {"task": "probe", "schedule": 60.0, "last_run_at": long_ago}}
    s = LockedScheduler(app=app, schedule_filename=str(tmp_path / f"schedule-{name}"), lock=lock)
    s.sent = []
    s.send_task = lambda task, *args, **kwargs: s.sent.append(task)
    return s


def run_ticks(s, n=3):
    for _ in range(n):
        s.tick()


# --- the scheduler: sends only while it holds the lock ------------------------------------------------


def test_second_scheduler_sends_nothing_and_takes_over_when_the_first_stops(tmp_path):
    first = scheduler(tmp_path, "a", FileLock(tmp_path / "celerybeat.lock"))
    second = scheduler(tmp_path, "b", FileLock(tmp_path / "celerybeat.lock"))

    run_ticks(first)
    wait = second.tick()
    run_ticks(second)

    assert first.sent == ["probe"]  # due once at start, next run in 60 s
    assert second.sent == []
    assert wait == second.poll_interval  # it polls the lock instead of sleeping until the next run
    # the waiting beat has not even opened its schedule file (two beats never write one file)
    assert not list(tmp_path.glob("schedule-b*"))

    first.close()  # clean shutdown releases the lock
    run_ticks(second)
    assert second.sent == ["probe"]
    second.close()


def test_beat_never_sleeps_past_a_third_of_the_lock_ttl(tmp_path, monkeypatch):
    monkeypatch.setenv("LIAISON_BEAT_LOCK_TTL", "30")
    s = scheduler(tmp_path, "a", FileLock(tmp_path / "celerybeat.lock"))
    run_ticks(s)
    # the only entry is due in 60 s, but the lock must be renewed before it expires
    assert 0 < s.tick() <= 10
    s.close()


def test_file_lock_names_its_holder_and_is_freed_on_release(tmp_path):
    a, b = FileLock(tmp_path / "l"), FileLock(tmp_path / "l")
    assert a.hold() and a.hold()
    assert not b.hold()
    assert b.holder().endswith(f":{os.getpid()}")
    a.release()
    assert b.hold()
    b.release()


def test_default_configuration_uses_the_locked_scheduler():
    from liaison.celery import app

    assert app.conf.beat_scheduler == "liaison.beat_lock.LockedScheduler"


# --- the Redis lease ------------------------------------------------------------------------------------


@pytest.fixture
def redis_lock_pair():
    url, client = redis_client_or_skip()
    key = f"liaison:beat-lock:test-{uuid.uuid4().hex}"
    yield RedisLock(url, key=key, ttl=30), RedisLock(url, key=key, ttl=30), client, key
    client.delete(key)


def test_redis_lock_one_holder_at_a_time(redis_lock_pair):
    a, b, client, key = redis_lock_pair
    assert a.hold()
    assert not b.hold()
    assert a.hold()  # renewed
    assert 25_000 < client.pttl(key) <= 30_000
    a.release()
    assert b.hold()
    assert client.get(key).decode() == b.token


def test_redis_lock_that_expired_is_not_stolen_back_nor_deleted_by_the_old_holder(redis_lock_pair):
    a, b, client, key = redis_lock_pair
    assert a.hold()
    client.delete(key)  # a's lease ran out (a stalled longer than the ttl)
    assert b.hold()
    assert not a.hold()  # the stalled beat finds out and stops scheduling
    a.held = True  # even if it still believed it held the lock ...
    assert not a.hold()
    a.held = True
    a.release()  # ... its release leaves the new holder's key alone
    assert client.get(key).decode() == b.token


def test_redis_down_means_not_holding_not_crashing():
    lock = RedisLock("redis://127.0.0.1:1/0", key="k", ttl=3)
    assert lock.hold() is False
    lock.release()


# --- two real beat processes ------------------------------------------------------------------------------


def _messages(client, queue):
    """(sender pid, sent at) for each message a beat published to the test queue."""
    out = []
    for raw in client.lrange(queue, 0, -1):
        headers = json.loads(raw)["headers"]
        # origin is "gen<pid>@<host>"
        out.append(int(headers["origin"].split("@")[0].removeprefix("gen")))
    return list(reversed(out))  # kombu LPUSHes: oldest last


def _wait(predicate, timeout, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


@pytest.mark.integration
def test_two_beat_processes_only_one_dispatches_and_the_other_takes_over(tmp_path):
    url, client = redis_client_or_skip()
    run = uuid.uuid4().hex[:12]
    queue, key, ttl = f"beat-test-{run}", f"liaison:beat-lock:test-{run}", 3
    env = {
        **os.environ,
        "REDIS_URL": url,
        "LIAISON_VAR_DIR": str(tmp_path / "var"),
        "BEAT_TEST_QUEUE": queue,
        "LIAISON_BEAT_LOCK_KEY": key,
        "LIAISON_BEAT_LOCK_TTL": str(ttl),
        "PYTHONUNBUFFERED": "1",
    }
    # the same schedule file on purpose: the usual mistake is a second beat on the same machine
    cmd = [sys.executable, "-m", "celery", "-A", "tests.deploy.beat_app", "beat", "-l", "info"]
    cmd += ["-s", str(tmp_path / "celerybeat-schedule")]
    procs = {}

    def start(name):
        log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        procs[name] = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        return procs[name]

    def log(name):
        return (tmp_path / f"{name}.log").read_text(errors="replace")

    try:
        a = start("a")
        assert _wait(lambda: len(_messages(client, queue)) >= 2, 30), log("a")
        b = start("b")
        assert _wait(lambda: "another celery beat holds" in log("b"), 20), log("b")
        sent_before, overlap_started = len(_messages(client, queue)), time.monotonic()
        time.sleep(ttl + 1)
        overlap = time.monotonic() - overlap_started
        senders = _messages(client, queue)
        assert set(senders) == {a.pid}, "only the first beat sent tasks while both ran"
        assert len(senders) - sent_before <= overlap + 1  # one probe a second, not two

        killed_at = time.monotonic()
        a.send_signal(signal.SIGKILL)  # a crash: the lock is not released, it must expire
        a.wait(10)
        assert _wait(lambda: b.pid in _messages(client, queue), ttl + 10), log("b")
        takeover = time.monotonic() - killed_at
        assert takeover <= ttl + 2, f"took over after {takeover:.1f} s (ttl {ttl} s)"
        assert "acquired the Redis key" in log("b")

        b.send_signal(signal.SIGTERM)  # a clean stop releases the lock at once
        b.wait(15)
        assert client.get(key) is None
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.kill()
                p.wait(10)
        client.delete(queue, key, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
