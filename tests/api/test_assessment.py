"""The month's assessment through the API: the assessment page's own figures and permissions."""

import pytest

pytestmark = pytest.mark.django_db


def test_director_reads_own_estates_only(api, director_a, estate_a, estate_b, issue_a):
    client = api(director_a)
    from django.utils import timezone

    month = f"{timezone.localdate():%Y-%m}"
    resp = client.get("/api/assessment/", {"month": month})
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["month"] == month and body["closed"] is False
    assert [e["id"] for e in body["estates"]] == [estate_a.pk]
    assert body["estates"][0]["figures"].get("raised") == 1  # the issue raised this month counts
    assert client.get("/api/assessment/", {"estate": estate_b.pk}).status_code == 404


def test_committee_members_and_supervisors_get_403(api, chair_a, supervisor_a):
    assert api(chair_a).get("/api/assessment/").status_code == 403
    assert api(supervisor_a).get("/api/assessment/").status_code == 403


def test_bad_month_is_a_field_error(api, leader):
    resp = api(leader, language="en").get("/api/assessment/", {"month": "2026-13"})
    assert resp.status_code == 400 and "month" in resp.json()["fields"]
