"""`manage.py check --deploy` with production settings: no warnings; and the production cookie flags."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path):
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    env.update(
        LIAISON_PRODUCTION="1",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="portal.example.com",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://portal.example.com",
        DATABASE_URL=os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/liaison_reliability",
        REDIS_URL=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/8",
        LIAISON_VAR_DIR=str(tmp_path / "var"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def test_check_deploy_has_no_warnings_and_cookies_are_secure(tmp_path):
    env = _env(tmp_path)
    r = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "System check identified no issues" in r.stdout
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k, None) for k in "
        "['DEBUG','SESSION_COOKIE_SECURE','CSRF_COOKIE_SECURE','SESSION_COOKIE_HTTPONLY','CSRF_COOKIE_HTTPONLY',"
        "'SESSION_COOKIE_SAMESITE','SECURE_SSL_REDIRECT','SECURE_HSTS_SECONDS','X_FRAME_OPTIONS',"
        "'SECURE_CONTENT_TYPE_NOSNIFF','AXES_ENABLED']}))"
    )
    r = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    s = json.loads(r.stdout.strip().splitlines()[-1])
    assert s["DEBUG"] is False
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"] and s["SECURE_SSL_REDIRECT"]
    assert s["SESSION_COOKIE_HTTPONLY"] and s["CSRF_COOKIE_HTTPONLY"] and s["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert s["SECURE_HSTS_SECONDS"] >= 31536000 and s["X_FRAME_OPTIONS"] == "DENY"
    assert s["AXES_ENABLED"] in (None, True), "login throttling is on in production"
