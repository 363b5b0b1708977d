"""One foreground command for development: web server, Celery worker and Celery beat.

Ctrl-C (SIGINT) or SIGTERM stops all three cleanly.
"""

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the portal with a Celery worker and Celery beat (Ctrl-C stops all)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args, **options):
        celery = [sys.executable, "-m", "celery", "-A", "liaison"]
        commands = {
            "web": [sys.executable, "manage.py", "runserver", options["addr"], "--noreload"],
            "worker": celery + ["worker", "-l", "info", "--concurrency", "2", "--without-gossip", "--without-mingle"],
            "beat": celery + ["beat", "-l", "info"],
        }
        procs = {}
        for name, cmd in commands.items():
            self.stdout.write(f"starting {name}: {' '.join(cmd[1:])}")
            procs[name] = subprocess.Popen(cmd, start_new_session=True)

        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(f"portal at http://{options['addr']}/  (Ctrl-C stops web, worker and beat)")
        try:
            while not stopping:
                for name, p in procs.items():
                    if p.poll() is not None:
                        self.stderr.write(f"{name} exited with {p.returncode}; stopping the others")
                        stopping = True
                time.sleep(0.5)
        finally:
            for p in procs.values():
                if p.poll() is None:
                    p.terminate()  # the leader only: celery then shuts its pool down warmly
            deadline = time.time() + 15
            for p in procs.values():
                try:
                    p.wait(timeout=max(0.1, deadline - time.time()))
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
            self.stdout.write("stopped")
