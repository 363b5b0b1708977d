"""One foreground command for development: web server, Celery worker and Celery beat.

Ctrl-C (SIGINT) or SIGTERM stops all three cleanly.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


def web_environment(addr):
    """The web server's environment: the address it listens on is an allowed host (DEBUG is off by default,
    and Django then answers 400 to any host not in ALLOWED_HOSTS)."""
    env = dict(os.environ)
    host = addr.rsplit(":", 1)[0] if ":" in addr else ""
    host = host.strip("[]")
    if host and host not in ("0.0.0.0", "::") and host not in settings.ALLOWED_HOSTS:
        env["DJANGO_ALLOWED_HOSTS"] = ",".join([*settings.ALLOWED_HOSTS, host])
    return env


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
        envs = {"web": web_environment(options["addr"])}
        procs = {}
        for name, cmd in commands.items():
            self.stdout.write(f"starting {name}: {' '.join(cmd[1:])}")
            procs[name] = subprocess.Popen(cmd, start_new_session=True, env=envs.get(name))

        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(f"portal at http://{options['addr']}/  (Ctrl-C stops web, worker and beat)")
        if not settings.DEBUG:
            # static files still come from WhiteNoise (settings: WHITENOISE_USE_FINDERS)
            self.stdout.write("debug pages off: the portal's own error pages (LIAISON_DEBUG=1 for Django's)")
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
