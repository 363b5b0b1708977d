"""`make bench`: run every bench/*.py script and print their one-line results under a header.

Uses the database of the environment (DATABASE_URL; PostgreSQL for figures worth reporting). When it
has no bulk data, seeds it first (`manage.py seed_bulk --estates 200 --months 24 --seed 42`, a few
minutes). Then refreshes the provisional assessment figures (`manage.py assessment_refresh`, what the
beat job does every 10 minutes), so the month view is timed as users get it. Each script runs in its own process and prints one line per figure, each with a ratio to the
baseline page measured in that same run. Exit status 1 if any script failed.

Environment: BENCH_ONLY=pages,scan (run a subset), BENCH_REPEAT (requests per page, default 15),
BENCH_SEED_ARGS (arguments for seed_bulk).
"""

import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SKIP = {"run_all.py", "locustfile.py"}


def machine():
    cpus = os.cpu_count()
    mem = ""
    try:
        kb = int(next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    model = ""
    try:
        model = next(line for line in open("/proc/cpuinfo") if line.startswith("model name")).split(":", 1)[1].strip()
    except (OSError, StopIteration):
        pass
    return f"{cpus} cores{mem}; {model or platform.processor()}; Python {platform.python_version()}"


def main():
    env = {**os.environ, "DJANGO_DEBUG": "0", "PYTHONDONTWRITEBYTECODE": "1"}
    python = sys.executable
    check = subprocess.run(
        [python, "-c", "import _common; _common.need_bulk_data(); print(_common.db_label())"],
        cwd=HERE,
        env=env,
        capture_output=True,
        text=True,
    )
    if check.returncode:
        if "no bulk data" not in check.stderr + check.stdout:
            sys.exit(check.stderr)
        args = os.environ.get("BENCH_SEED_ARGS", "--estates 200 --months 24 --seed 42").split()
        print(f"no bulk data: manage.py seed_bulk {' '.join(args)}", flush=True)
        subprocess.run([python, "manage.py", "seed_bulk", *args], cwd=ROOT, env=env, check=True)
        check = subprocess.run(
            [python, "-c", "import _common; print(_common.db_label())"],
            cwd=HERE,
            env=env,
            capture_output=True,
            text=True,
        )
    print(f"# liaison benchmarks {datetime.datetime.now():%Y-%m-%d %H:%M} — {machine()}")
    print(f"# database: {check.stdout.strip()}")
    # what a user gets: the month view reads the provisional figures the beat job stores every 10 minutes
    refresh = subprocess.run(
        [python, "manage.py", "assessment_refresh"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    print(f"# assessment_refresh (as the beat job): {(refresh.stdout or refresh.stderr).strip()[-300:]}", flush=True)
    only = {s.strip() for s in os.environ.get("BENCH_ONLY", "").split(",") if s.strip()}
    failed = []
    for script in sorted(HERE.glob("*.py")):
        if script.name in SKIP or script.name.startswith("_") or (only and script.stem not in only):
            continue
        print(f"## {script.stem}", flush=True)
        result = subprocess.run([python, script.name], cwd=HERE, env=env)
        if result.returncode:
            failed.append(script.stem)
            print(f"{script.stem}: FAILED (exit {result.returncode})", flush=True)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
