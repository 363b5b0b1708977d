"""Sign-off through the API: status, and signing with the password (re-authentication)."""

import pytest

from records.models import SignoffRequest

pytestmark = pytest.mark.django_db


def _payload(req, **kw):
    v = req.current_version()
    return {
        "password": kw.pop("password", "Pa55-word-for-tests"),
        "decision": "agree",
        "version_id": v.pk,
        "version_sha256": v.sha256,
        **kw,
    }


def test_status_shows_who_has_not_signed(api, director_a, signoff_a):
    body = api(director_a).get(f"/api/signoffs/{signoff_a.pk}/").json()
    assert body["status"] == "open" and body["outstanding"] == 2
    assert {s["name"] for s in body["signers"]} == {"张喆", "刘堃"}
    assert all(s["decision"] is None for s in body["signers"])


def test_wrong_password_is_refused_and_nothing_recorded(api, chair_a, signoff_a):
    resp = api(chair_a, language="en").post(f"/api/signoffs/{signoff_a.pk}/sign/", _payload(signoff_a, password="x"))
    assert resp.status_code == 400
    assert resp.json()["code"] == "sign_refused"
    assert "password is not correct" in resp.json()["message"]
    assert not signoff_a.signers.filter(signatures__isnull=False).exists()


def test_stale_version_is_a_conflict(api, chair_a, signoff_a):
    resp = api(chair_a).post(f"/api/signoffs/{signoff_a.pk}/sign/", _payload(signoff_a, version_sha256="0" * 64))
    assert resp.status_code == 409 and resp.json()["code"] == "stale"


def test_only_a_named_signer_signs(api, director_a, signoff_a):
    assert api(director_a).post(f"/api/signoffs/{signoff_a.pk}/sign/", _payload(signoff_a)).status_code == 403


def test_all_sign_and_the_request_completes(api, chair_a, member_a, signoff_a):
    resp = api(chair_a).post(f"/api/signoffs/{signoff_a.pk}/sign/", _payload(signoff_a))
    assert resp.status_code == 200 and resp.json()["status"] == "open"
    assert api(chair_a).post(f"/api/signoffs/{signoff_a.pk}/sign/", _payload(signoff_a)).status_code == 400
    resp = api(member_a).post(
        f"/api/signoffs/{signoff_a.pk}/sign/", _payload(signoff_a, decision="comments", comment="同意，建议公示")
    )
    assert resp.json()["status"] == "completed"
    signoff_a.refresh_from_db()
    assert signoff_a.status == SignoffRequest.Status.COMPLETED
    rows = api(member_a).get("/api/signoffs/", {"status": "completed"}).json()["results"]
    assert [r["id"] for r in rows] == [signoff_a.pk]
