"""JSON errors with a code and a message in the user's language; per-token rate limits."""

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext as _

from api.models import ApiToken

pytestmark = pytest.mark.django_db


def test_language_header_then_users_language_then_chinese(api, director_a, estate_b):
    url = f"/api/estates/{estate_b.pk}/"
    assert api(director_a).get(url).json()["message"] == "未找到。"
    assert api(director_a, language="en-GB,en;q=0.8").get(url).json()["message"] == "Not found."
    director_a.language = "en"
    director_a.save()
    resp = api(director_a).get(url)
    assert resp.json()["message"] == "Not found." and resp["Content-Language"] == "en"
    # an explicit header wins over the user's setting
    assert api(director_a, language="zh-CN").get(url).json()["message"] == "未找到。"


def test_business_refusal_reads_like_the_form(api, director_a, meeting_a):
    """The action's own message comes back with a machine-readable code."""
    resp = api(director_a).post(f"/api/meetings/{meeting_a.pk}/send/")
    assert resp.status_code == 400
    body = resp.json()
    assert body["code"] == "refused"
    with translation.override("zh-hans"):
        expected = str(_("This meeting has already been sent or cannot be sent now."))
    assert body["message"] == expected and expected != "This meeting has already been sent or cannot be sent now."
    assert body["fields"]["non_field_errors"][0]["message"] == body["message"]


def test_validation_errors_per_field_in_english(api, director_a):
    resp = api(director_a, language="en").post("/api/meetings/", {"estate": "x", "title": ""})
    body = resp.json()
    assert resp.status_code == 400 and body["code"] == "invalid"
    assert body["fields"]["estate"] == [{"code": "invalid", "message": "A valid integer is required."}]
    assert body["fields"]["title"][0]["code"] == "blank"
    assert body["fields"]["place"][0] == {"code": "required", "message": "This field is required."}


def test_malformed_json_and_wrong_method(api, director_a):
    client = api(director_a, language="en")
    resp = client.client.post("/api/issues/", "{not json", content_type="application/json", **client.headers)
    assert resp.status_code == 400 and resp.json()["code"] == "parse_error"
    resp = client.delete("/api/issues/")
    assert resp.status_code == 405 and resp.json()["code"] == "method_not_allowed"


def test_unknown_api_url_is_a_json_404(api, director_a):
    resp = api(director_a).get("/api/no-such-thing/42")
    assert resp.status_code == 404 and resp["Content-Type"] == "application/json"


def test_rate_limit_per_token(settings, director_a):
    settings.API_THROTTLE_RATES = {"token": "3/min", "session": "3/min", "anon": "3/min"}
    _t1, raw1 = ApiToken.create_for(director_a, "OA")
    _t2, raw2 = ApiToken.create_for(director_a, "mini-program")
    c = Client()
    codes = [c.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {raw1}").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    resp = c.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {raw1}", HTTP_ACCEPT_LANGUAGE="en")
    assert resp.json()["code"] == "throttled" and int(resp["Retry-After"]) > 0
    # the other token of the same user has its own budget
    assert c.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {raw2}").status_code == 200
