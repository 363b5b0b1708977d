"""Production settings and gunicorn, exercised as an operator would run them (subprocesses)."""

import http.cookies
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOST = "portal.example.com"


def production_env(tmp_path, **extra):
    # a clean environment, as on a server (the test run's own variables, e.g. the async-unsafe switch the
    # browser tests need, must not leak in)
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    env.update({
        "LIAISON_PRODUCTION": "1",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "SITE_URL": f"https://{HOST}",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/liaison_deploy",
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/5",
        "LIAISON_VAR_DIR": str(tmp_path / "var"),
        "PYTHONDONTWRITEBYTECODE": "1",
    })  # fmt: skip
    env.update(extra)
    return env


def manage(env, *args, check=True):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    if check and result.returncode:
        pytest.fail(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr[-3000:]}")
    return result


def test_check_deploy_reports_no_warnings_with_production_settings(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key_from_the_environment(tmp_path):
    env = production_env(tmp_path)
    del env["DJANGO_SECRET_KEY"]
    result = manage(env, "check", check=False)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_debug_switched_on_in_production_is_reported(tmp_path):
    # the check is not vacuous: an operator's mistake shows up as a deploy warning
    result = manage(
        production_env(tmp_path, DJANGO_DEBUG="1"), "check", "--deploy", "--fail-level", "WARNING", check=False
    )
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr


# --- gunicorn -------------------------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """urllib as if behind the TLS proxy (X-Forwarded-Proto: https from 127.0.0.1), keeping cookies.

    Cookies are kept by hand: they are Secure, and a cookie jar would not send them over plain http.
    """

    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.cookies = {}
        self.opener = urllib.request.build_opener(NoRedirect())

    def request(self, path, data=None, referer=None):
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "Accept-Language": "zh-hans"}
        if referer:
            headers["Referer"] = f"https://{HOST}{referer}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            resp = self.opener.open(req, timeout=20)
        except urllib.error.HTTPError as err:
            resp = err
        with resp:
            for raw in resp.headers.get_all("Set-Cookie") or []:
                for name, morsel in http.cookies.SimpleCookie(raw).items():
                    self.cookies[name] = morsel.value
            return resp.status, resp.headers, resp.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="module")
def gunicorn_server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("gunicorn")
    # SQLite and the filesystem broker keep this test self-contained; PostgreSQL is exercised by the
    # integration suites and the benchmarks.
    env = production_env(tmp_path, DATABASE_URL="", REDIS_URL="", GUNICORN_WORKERS="2", GUNICORN_ACCESS_LOG="-")
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "createsuperuser", "--noinput", "--username", "ops", "--email", "ops@example.com")
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from liaison.models import User; u = User.objects.get(username='ops'); "
         "u.set_password('Ops-pass-2026-long'); u.save()"],
        cwd=ROOT, env=env, check=True, timeout=60,
    )  # fmt: skip
    port = free_port()
    env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    browser = Browser(port)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    if proc.poll() is not None:
        pytest.fail("gunicorn did not start:\n" + (tmp_path / "gunicorn.log").read_text())
    yield browser, tmp_path / "gunicorn.log"
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def test_gunicorn_serves_the_login_page_with_security_headers(gunicorn_server):
    browser, _ = gunicorn_server
    status, headers, body = browser.request("/login/")
    assert status == 200, body[:500]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["X-Frame-Options"] == "DENY"
    assert b'name="csrfmiddlewaretoken"' in body


def test_gunicorn_serves_hashed_static_files_cacheable_forever(gunicorn_server):
    browser, _ = gunicorn_server
    _, _, body = browser.request("/login/")
    css = re.search(rb'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', body)
    assert css, "the page links the hashed (collectstatic manifest) file name"
    status, headers, content = browser.request(css.group(1).decode())
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert "immutable" in headers["Cache-Control"]
    assert content == (ROOT / "static/css/portal.css").read_bytes()


def test_plain_http_is_redirected_to_https(gunicorn_server):
    browser, _ = gunicorn_server
    req = urllib.request.Request(browser.base + "/login/", headers={"Host": HOST})
    try:
        browser.opener.open(req, timeout=20)
        status, location = 200, None
    except urllib.error.HTTPError as err:
        status, location = err.code, err.headers["Location"]
    assert status == 301
    assert location == f"https://{HOST}/login/"


def test_gunicorn_logs_in_and_shows_the_home_page(gunicorn_server):
    browser, log = gunicorn_server
    browser.request("/login/")
    token = browser.cookies["csrftoken"]
    status, headers, _ = browser.request(
        "/login/",
        {"username": "ops", "password": "Ops-pass-2026-long", "csrfmiddlewaretoken": token},
        referer="/login/",
    )
    assert status == 302, "a correct password logs in"
    assert headers["Location"] == "/"
    session_cookie = next(c for c in headers.get_all("Set-Cookie") if c.startswith("sessionid="))
    assert "Secure" in session_cookie and "HttpOnly" in session_cookie
    status, _, body = browser.request("/")
    assert status == 200
    assert b"ops" in body
    # the access log names the request and its duration in ms (the worker writes it just after answering)
    deadline = time.monotonic() + 10
    while not re.search(r'"GET / HTTP/1\.1" 200 \d+ \d+ms', log.read_text()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert re.search(r'"GET / HTTP/1\.1" 200 \d+ \d+ms', log.read_text())
