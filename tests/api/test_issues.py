"""Issues through the API: the follow-up rules and permissions of the issue pages, keyset pagination."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from followups.models import Issue

pytestmark = pytest.mark.django_db


def test_committee_member_raises_online_in_their_own_name(api, chair_a, oc_a, oc_b, director_a):
    chair = api(chair_a)
    before = timezone.now()
    resp = chair.post(
        "/api/issues/",
        {
            "committee": oc_a.pk,
            "description": "3栋电梯异响",
            "urgency": "important",
            # a committee member cannot backdate or pose as someone else: ignored, as on the form
            "raised_by": "别人",
            "raised_at": "2020-01-01T00:00:00+08:00",
            "answer_on_spot": "已答复",
        },
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["raised_by"] == "张喆" and body["source"] == "online" and body["status"] == "open"
    issue = Issue.objects.get(pk=body["id"])
    assert issue.raised_at >= before and issue.raised_by_member.user == chair_a
    assert body["reply_due_at"] and body["callback_due_at"]  # the 3-day deadlines started
    # not for another estate's committee
    resp = chair.post("/api/issues/", {"committee": oc_b.pk, "description": "x"})
    assert resp.status_code == 400 and resp.json()["fields"]["committee"][0]["code"] == "does_not_exist"


def test_staff_records_an_answer_on_the_spot_which_closes_the_issue(api, director_a, oc_a):
    resp = api(director_a).post(
        "/api/issues/",
        {"committee": oc_a.pk, "description": "垃圾清运时间", "raised_by": "张喆", "answer_on_spot": "每天7点清运"},
    )
    assert resp.status_code == 201
    assert resp.json()["status"] == "closed" and resp.json()["close_reason"] == "on_the_spot"


def test_raised_at_in_the_future_is_refused_on_its_field(api, director_a, oc_a):
    future = (timezone.now() + datetime.timedelta(days=2)).isoformat()
    resp = api(director_a, language="en").post(
        "/api/issues/", {"committee": oc_a.pk, "description": "x", "raised_by": "张喆", "raised_at": future}
    )
    assert resp.status_code == 400
    assert resp.json()["fields"]["raised_at"][0]["message"] == "The time raised cannot be in the future."
    assert not Issue.objects.exists()


def test_the_whole_follow_up(api, director_a, dept_a, chair_a, issue_a, assessor):
    director = api(director_a)
    url = f"/api/issues/{issue_a.pk}/"
    # department staff may not classify; the assessor only reads
    assert api(dept_a).post(url + "classify/", {"responsibility": "company", "assignee": dept_a.pk}).status_code == 403
    assert api(assessor).post(url + "reply/", {"text": "x"}).status_code == 403
    assert api(assessor).get(url).status_code == 200
    resp = director.post(url + "classify/", {"responsibility": "company"})
    assert resp.status_code == 400 and "assignee" in resp.json()["fields"]
    resp = director.post(url + "classify/", {"responsibility": "company", "assignee": dept_a.pk})
    assert resp.status_code == 200 and resp.json()["status"] == "in_progress"
    assert resp.json()["assignee"]["id"] == dept_a.pk
    # now the assignee works on it
    engineer = api(dept_a)
    assert engineer.post(url + "reply/", {"text": "已安排工程部查看"}).json()["replied_at"]
    resp = engineer.post(url + "resolve/", {"resolution": "已修补渗水点"})
    assert resp.json()["status"] == "resolved"
    # cannot close yet without a satisfied callback or a decision
    resp = director.post(url + "close/", {})
    assert resp.status_code == 400 and resp.json()["code"] == "refused"
    # the committee confirms online: satisfied closes it
    chair = api(chair_a)
    assert chair.get(url).json()["permissions"]["confirm"] is True
    resp = chair.post(url + "confirm/", {"satisfaction": "satisfied"})
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "closed" and body["close_reason"] == "confirmed"
    assert body["callbacks"][0]["method"] == "online"
    # closed: nothing more can be added
    resp = director.post(url + "reply/", {"text": "补充"})
    assert resp.status_code == 400 and resp.json()["code"] == "closed"


def test_callback_and_close_by_decision(api, director_a, supervisor_a, issue_a):
    url = f"/api/issues/{issue_a.pk}/"
    sup = api(supervisor_a)
    called = (timezone.now() - datetime.timedelta(minutes=5)).isoformat()
    resp = sup.post(
        url + "callback/",
        {
            "called_at": called,
            "method": "phone",
            "person_reached": "张喆",
            "result": "仍在处理",
            "satisfaction": "basic",
        },
    )
    assert resp.status_code == 200 and resp.json()["first_callback_at"]
    # a supervisor may not close by decision (only a director, leader or admin)
    resp = sup.post(url + "close/", {"decision": "转交街道办"})
    assert resp.status_code == 400
    resp = api(director_a).post(url + "close/", {"decision": "已转交街道办处理"})
    assert resp.status_code == 200 and resp.json()["close_reason"] == "decision"


@pytest.fixture
def many_issues(oc_a, estate_a, oc_b, estate_b):
    base = timezone.now() - datetime.timedelta(days=30)
    rows = []
    for i in range(130):
        rows.append(
            Issue(
                estate=estate_a if i % 5 else estate_b,
                committee=oc_a if i % 5 else oc_b,
                raised_by="张喆",
                # some share a timestamp: the cursor must still neither skip nor repeat
                raised_at=base + datetime.timedelta(hours=i // 3),
                description=f"问题{i}",
            )
        )
    Issue.objects.bulk_create(rows)
    return Issue.objects.filter(estate=estate_a)


def test_cursor_pagination_walks_every_visible_issue_once_with_constant_queries(api, director_a, many_issues):
    client = api(director_a)
    seen, url, pages, queries = [], "/api/issues/", 0, []
    params = {"page_size": 20}
    while url:
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(url, params)
        assert resp.status_code == 200
        body = resp.json()
        seen += [r["id"] for r in body["results"]]
        queries.append(len(ctx.captured_queries))
        sqls = " ".join(q["sql"].upper() for q in ctx.captured_queries)
        assert "COUNT(" not in sqls  # no total count: cost does not grow with the table
        url, params = body["next"], None
        pages += 1
    assert sorted(seen) == sorted(many_issues.values_list("pk", flat=True))
    assert len(seen) == len(set(seen)) == 104
    assert pages == 6
    assert max(queries) == min(queries)  # the same few queries per page, whatever the page
    # newest first
    raised = list(Issue.objects.filter(pk__in=seen[:20]).order_by("-raised_at", "-id").values_list("pk", flat=True))
    assert seen[:20] == raised


def test_bad_cursor_and_filters_are_json_errors(api, director_a):
    client = api(director_a, language="en")
    resp = client.get("/api/issues/", {"cursor": "garbage"})
    assert resp.status_code == 404 and resp.json()["code"] == "not_found"
    resp = client.get("/api/issues/", {"status": "bogus", "raised_after": "yesterday"})
    assert resp.status_code == 400
    assert set(resp.json()["fields"]) == {"status", "raised_after"}


def test_filters(api, director_a, many_issues):
    client = api(director_a)
    Issue.objects.filter(pk=many_issues.first().pk).update(status="closed", closed_at=timezone.now())
    rows = client.get("/api/issues/", {"status": "open", "page_size": 200}).json()["results"]
    assert len(rows) == 103
    rows = client.get("/api/issues/", {"status": "closed"}).json()["results"]
    assert [r["id"] for r in rows] == [many_issues.first().pk]
