"""Tokens: created on the portal page (shown once, only a hash stored), revocable, last-used time;
the browser session works too but needs the CSRF token for changes."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from api.models import ApiToken, hash_token
from liaison.models import AuditEntry

pytestmark = pytest.mark.django_db


def _create(client, name="OA系统"):
    resp = client.post("/api/tokens/", {"name": name})
    assert resp.status_code == 200
    return re.search(r'id="token-value">([^<]+)<', resp.content.decode()).group(1)


def test_token_is_shown_once_and_only_its_hash_is_stored(client_for, director_a):
    client = client_for(director_a)
    raw = _create(client)
    token = ApiToken.objects.get(user=director_a)
    assert token.key_hash == hash_token(raw) and raw not in (token.key_hash, token.prefix)
    assert raw.startswith(token.prefix)
    # the list shows the prefix, never the token again
    page = client.get("/api/tokens/").content.decode()
    assert raw not in page and token.prefix in page and "OA系统" in page
    assert AuditEntry.objects.filter(action="api_token_created", object_id=str(token.pk)).exists()
    # and it works
    resp = Client().get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert resp.status_code == 200 and resp.json()["username"] == "director_a"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_blank_name_keeps_the_form_with_a_message(client_for, director_a):
    resp = client_for(director_a).post("/api/tokens/", {"name": "   "})
    assert resp.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoked_token_stops_working(client_for, director_a):
    client = client_for(director_a)
    raw = _create(client)
    token = ApiToken.objects.get()
    resp = client.post(f"/api/tokens/{token.pk}/revoke/")
    assert resp.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    resp = Client().get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 401
    assert resp.json() == {"code": "authentication_failed", "message": "Invalid, expired or revoked token."}
    assert resp["WWW-Authenticate"].startswith("Bearer")


def test_nobody_revokes_someone_elses_token(client_for, director_a, director_b):
    token, raw = ApiToken.create_for(director_a, "OA")
    resp = client_for(director_b).post(f"/api/tokens/{token.pk}/revoke/")
    assert resp.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoke_needs_post_and_csrf(director_a):
    token, raw = ApiToken.create_for(director_a, "OA")
    client = Client(enforce_csrf_checks=True)
    client.force_login(director_a)
    assert client.get(f"/api/tokens/{token.pk}/revoke/").status_code == 405
    assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_expired_token_and_inactive_user_are_refused(director_a):
    token, raw = ApiToken.create_for(director_a, "OA", expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert Client().get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    token2, raw2 = ApiToken.create_for(director_a, "OA2")
    director_a.is_active = False
    director_a.save()
    assert Client().get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {raw2}").status_code == 401


def test_no_credentials_is_401_json(db):
    resp = Client().get("/api/meetings/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert resp.status_code == 401
    assert resp.json()["code"] == "not_authenticated"
    assert resp.json()["message"] == "身份认证信息未提供。"


def test_session_works_for_reading_and_needs_csrf_for_changes(director_a, issue_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(director_a)
    assert client.get(f"/api/issues/{issue_a.pk}/").status_code == 200
    resp = client.post(f"/api/issues/{issue_a.pk}/reply/", {"text": "x"}, content_type="application/json")
    assert resp.status_code == 403
    assert "CSRF" in resp.json()["message"]
    issue_a.refresh_from_db()
    assert issue_a.replied_at is None
    # with the CSRF token (as the Swagger UI sends it) the change goes through
    client.get("/api/tokens/")
    csrf = client.cookies["csrftoken"].value
    resp = client.post(
        f"/api/issues/{issue_a.pk}/reply/", {"text": "已安排"}, content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert resp.status_code == 200


def test_last_used_is_written_at_most_once_a_minute(director_a):
    token, raw = ApiToken.create_for(director_a, "OA")
    c = Client()
    c.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    token.refresh_from_db()
    first = token.last_used_at
    c.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - datetime.timedelta(minutes=2))
    c.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    token.refresh_from_db()
    assert token.last_used_at > first - datetime.timedelta(minutes=2)


def test_tokens_page_is_in_chinese_by_default(client_for, director_a):
    html = client_for(director_a).get("/api/tokens/").content.decode()
    assert "接口令牌" in html and "创建令牌" in html and "尚无令牌。" in html
