# ruff: noqa: I001 - _common sets Django up and must be imported before Django modules
"""Load test: gunicorn with several workers on loopback, driven by locust (bench/locustfile.py), headless
and bounded in time. Prints requests/s, p50/p95 and the error rate (goal: zero errors), and the p50 of
all pages as a ratio to the p50 of the baseline page (a director's inbox) under the same load.

locust is pinned in requirements.txt: this uses the venv's `locust` (or PATH, or BENCH_LOCUST=/path)
and prints "skipped" without one. Environment: BENCH_LOAD_USERS (30), BENCH_LOAD_SECONDS (60),
GUNICORN_WORKERS (default 2 x cores + 1).
"""

import csv
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, need_bulk_data

from seeding.management.commands.seed_bulk import COMPANY
from liaison.models import Estate


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    venv_locust = Path(sys.executable).with_name("locust")
    locust = os.environ.get("BENCH_LOCUST") or (str(venv_locust) if venv_locust.exists() else shutil.which("locust"))
    if not locust:
        print("load: skipped (locust is not installed; pip install locust==2.47.0 or set BENCH_LOCUST)")
        return
    need_bulk_data()
    count = Estate.objects.filter(company__name=COMPANY).count()
    users = int(os.environ.get("BENCH_LOAD_USERS", "30"))
    seconds = int(os.environ.get("BENCH_LOAD_SECONDS", "60"))
    workers = int(os.environ.get("GUNICORN_WORKERS", str((os.cpu_count() or 1) * 2 + 1)))
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_ACCESS_LOG": "",
        "BENCH_ESTATES": str(count),
    }
    tmp = Path(tempfile.mkdtemp(prefix="liaison-load-"))
    web_log = open(tmp / "gunicorn.log", "wb")  # noqa: SIM115
    web = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"], cwd=ROOT, env=env,
                           stdout=web_log, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if web.poll() is not None:
                    sys.exit("gunicorn did not start: " + (tmp / "gunicorn.log").read_text()[-2000:])
                time.sleep(0.3)
        cmd = [locust, "-f", str(Path(__file__).with_name("locustfile.py")), "--headless", "--only-summary"]
        cmd += ["-u", str(users), "-r", str(max(users // 5, 1)), "-t", f"{seconds}s"]
        cmd += ["--host", f"http://127.0.0.1:{port}", "--csv", str(tmp / "load"), "--loglevel", "WARNING"]
        subprocess.run(cmd, env=env, cwd=tmp, capture_output=True, check=False, timeout=seconds + 120)
        rows = {r["Name"]: r for r in csv.DictReader(open(tmp / "load_stats.csv"))}
    finally:
        web.terminate()
        web.wait(30)
        web_log.close()
    total = rows["Aggregated"]
    n, errors = int(total["Request Count"]), int(total["Failure Count"])
    base = rows.get("baseline: inbox", {})
    base_p50 = float(base.get("50%") or 0)
    p50, p95 = float(total["50%"]), float(total["95%"])
    ratio = f"; p50 {p50 / base_p50:.1f}x the baseline inbox p50 ({base_p50:.0f} ms)" if base_p50 else ""
    worst = max((r for k, r in rows.items() if k != "Aggregated"), key=lambda r: float(r["95%"]))
    print(
        f"load (gunicorn {workers} workers, {users} users, {seconds} s, loopback): "
        f"{float(total['Requests/s']):.1f} req/s, p50 {p50:.0f} ms, p95 {p95:.0f} ms, "
        f"errors {errors}/{n} ({100 * errors / max(n, 1):.2f}%){ratio} "
        f"[slowest p95: {worst['Name']} {float(worst['95%']):.0f} ms; logins included]",
        flush=True,
    )
    if errors:
        failures = tmp / "load_failures.csv"
        print(failures.read_text()[:2000] if failures.exists() else "", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
