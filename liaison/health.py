"""Readiness of the things the portal depends on: database, broker, PDF fonts."""

import ctypes
import functools
import shutil
import subprocess

from django.conf import settings
from django.db import connection


@functools.cache
def harfbuzz_subset_available():
    # WeasyPrint subsets fonts with HarfBuzz when libharfbuzz-subset is present and falls back to
    # fontTools otherwise (a one-page Chinese PDF: 0.13 s vs 5 s).
    for name in ("libharfbuzz-subset.so.0", "libharfbuzz-subset.so"):
        try:
            ctypes.CDLL(name)
            return True
        except OSError:
            continue
    return False


@functools.cache
def cjk_fonts():
    if not shutil.which("fc-list"):
        return []
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    return sorted({line.split(",")[0].strip() for line in out.splitlines() if line.strip()})


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "engine": connection.vendor}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "engine": connection.vendor, "error": str(exc)[:200]}


def check_broker():
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        return {"ok": True, "transport": "filesystem"}
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
        return {"ok": True, "transport": "redis"}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "transport": "redis", "error": str(exc)[:200]}


def check_pdf():
    fonts = cjk_fonts()
    return {
        "ok": bool(fonts) and harfbuzz_subset_available(),
        "cjk_fonts": fonts[:5],
        "harfbuzz_subset": harfbuzz_subset_available(),
    }


def report():
    parts = {"database": check_database(), "broker": check_broker(), "pdf": check_pdf()}
    return {"ok": all(p["ok"] for p in parts.values()), **parts}
