import json

import pytest
from django.core import checks
from django.urls import reverse

from liaison import health


def test_login_lands_on_home(client, director_a, password):
    r = client.post(reverse("login"), {"username": "director_a", "password": password}, follow=True)
    assert "我负责的小区" in r.content.decode()


def test_wrong_password_message_in_chinese(client, director_a):
    r = client.post(reverse("login"), {"username": "director_a", "password": "nope"})
    assert r.status_code == 200 and "请输入一个正确的" in r.content.decode()


def test_login_is_throttled_after_five_failures(client, director_a, password, settings):
    settings.AXES_ENABLED = True
    for _ in range(5):
        client.post(reverse("login"), {"username": "director_a", "password": "wrong"})
    r = client.post(reverse("login"), {"username": "director_a", "password": password})
    assert r.status_code == 429
    assert "登录失败次数过多" in r.content.decode()
    # another account from the same address is not locked by this one's failures
    r = client.get("/")
    assert r.status_code == 302


def test_healthz_reports_database_broker_and_pdf(client, db):
    r = client.get("/healthz")
    data = json.loads(r.content)
    assert set(data) >= {"ok", "database", "broker", "pdf"}
    assert data["database"]["ok"] is True
    assert data["pdf"]["harfbuzz_subset"] is True and data["pdf"]["cjk_fonts"]
    assert r.status_code == (200 if data["ok"] else 503)


def test_healthz_reports_a_broker_outage(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    r = client.get("/healthz")
    data = json.loads(r.content)
    assert r.status_code == 503 and data["broker"]["ok"] is False


def test_startup_check_warns_without_harfbuzz_subset_or_cjk_font(monkeypatch):
    monkeypatch.setattr(health, "harfbuzz_subset_available", lambda: False)
    monkeypatch.setattr(health, "cjk_fonts", lambda: [])
    ids = {m.id for m in checks.run_checks()}
    assert {"liaison.W001", "liaison.W002"} <= ids


def test_startup_check_is_quiet_on_a_ready_machine():
    ids = {m.id for m in checks.run_checks()}
    assert not ids & {"liaison.W001", "liaison.W002"}


@pytest.mark.parametrize("url", ["/estates/abc/", "/committees/99999999999999999999/", "/members/-1/edit/"])
def test_odd_urls_are_404_not_500(client, director_a, url):
    client.force_login(director_a)
    assert client.get(url).status_code == 404
