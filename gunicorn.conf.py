"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py` (see docs/deploy.md).

Every value can be changed from the environment, so one file serves every machine.
Static files are served by whitenoise inside the app; put nginx (or any TLS proxy) in front for HTTPS.
"""

import multiprocessing
import os


def _int(name, default):
    return int(os.environ.get(name, default))


wsgi_app = "liaison.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")

# Sync workers: pages are short database-bound requests; a PDF takes ~0.1-1 s of CPU.
# 2 x cores + 1 is gunicorn's usual starting point; each worker holds one PostgreSQL connection.
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
threads = _int("GUNICORN_THREADS", 1)
# a batch of 30 PDFs is the slowest request; anything longer is stuck and gets restarted
timeout = _int("GUNICORN_TIMEOUT", 120)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# recycle workers now and then: bounds memory growth of long-lived processes (WeasyPrint, fonts)
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# uploads are at most UPLOAD_MAX_BYTES (10 MB by default); the proxy should enforce the same limit
limit_request_line = 8190

# The heartbeat file on tmpfs: a disk-backed /tmp can stall workers (gunicorn's "blocking os.fchmod").
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", "/dev/shm" if os.path.isdir("/dev/shm") else None)

# Trust X-Forwarded-Proto only from the proxy in front (Django's SECURE_PROXY_SSL_HEADER relies on it).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs to stdout/stderr (systemd's journal or the container log); %(M)s = request time in ms.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s %({x-forwarded-for}i)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
proc_name = os.environ.get("GUNICORN_PROC_NAME", "liaison")

# gunicorn's runtime control socket (gunicornc) only when asked for: two instances on one machine
# would otherwise share the default path.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET") or None
control_socket_disable = control_socket is None
if control_socket is None:
    del control_socket
