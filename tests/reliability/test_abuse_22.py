"""Issue 22, rows 3, 4, 9, 10, 11 and 14: the abuse an attacker tried, repeated through the same URL with the
same input (concurrently where the row says so, on PostgreSQL for those) and refused at its root."""

import json

import pytest
from django.test import Client

from api.models import ApiToken
from followups.models import Issue

pytestmark = pytest.mark.django_db


def _bearer(user, name="tests"):
    _token, secret = ApiToken.create_for(user, name)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


# --- row 10: a body over the limit is a 413, not a 500 -------------------------------------------------


@pytest.mark.parametrize("char", ["漏", "a"])
def test_row10_a_million_character_json_field_is_413(char, director_a, oc_a):
    body = {
        "committee": oc_a.pk,
        "description": char * 1_000_000,
        "raised_by": "张喆",
        "raised_at": "2026-03-02T10:00:00+08:00",
        "source": "meeting",
    }
    client = Client(raise_request_exception=False)
    r = client.post("/api/issues/", json.dumps(body), content_type="application/json", **_bearer(director_a))
    assert r.status_code == 413, r.content[:200]
    assert r.json()["code"] == "too_large" and "1 MB" in r.json()["message"]
    assert not Issue.objects.exists()
    # a sane body through the same URL still works
    body["description"] = "地下车库B区渗水"
    r = client.post("/api/issues/", json.dumps(body), content_type="application/json", **_bearer(director_a))
    assert r.status_code == 201, r.content


def test_row10_a_huge_form_is_413_with_a_message(client_for, director_a, oc_a):
    client = client_for(director_a)
    client.raise_request_exception = False
    # the test client posts multipart: the text field alone is over the body limit
    r = client.post("/issues/new/", {"committee": oc_a.pk, "description": "x" * 1_100_000})
    assert r.status_code == 413
    assert "请求内容过大（上限为 1 MB）" in r.content.decode()
    assert not Issue.objects.exists()


def test_row10_an_unannounced_body_read_past_the_limit_is_413_json(settings, director_a):
    from django.core.exceptions import RequestDataTooBig

    from api.exceptions import handler

    r = handler(RequestDataTooBig("too big"), {})
    assert r.status_code == 413 and r.data["code"] == "too_large"


# --- row 11: the 10-token limit under concurrency --------------------------------------------------------


def _at_once(calls, timeout=60):
    """Run each callable in its own thread (its own database connection), released together."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(i, call):
        try:
            barrier.wait(timeout=timeout)
            results[i] = call()
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_row11_eight_concurrent_token_posts_with_eight_active_stay_within_ten(director_a):
    from .conftest import needs_pg_and_redis

    needs_pg_and_redis()
    for i in range(8):
        ApiToken.create_for(director_a, f"现有{i}")
    clients = []
    for _i in range(8):
        c = Client()
        c.force_login(director_a)
        clients.append(c)
    results = _at_once([lambda c=c, i=i: c.post("/api/tokens/", {"name": f"并发{i}"}) for i, c in enumerate(clients)])
    assert director_a.api_tokens.active().count() == 10
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 200] + [400] * 6, codes
    refused = next(r for r in results if r.status_code == 400).content.decode()
    assert "您已有 10 个有效令牌" in refused


# --- row 14: names outside the user's scope ------------------------------------------------------------


def test_row14_a_committee_members_issue_filter_names_only_their_own_issues_people(
    client_for, director_a, supervisor_a, dept_a, leader, director_b, oc_a, oc_b, chair_b
):
    from liaison.models import Role, StaffAssignment
    from tests.factories import UserFactory

    from .test_injection_22 import _raise

    own = _raise(oc_b.estate, oc_b, "电梯异响", actor=director_b)
    Issue.objects.filter(pk=own.pk).update(assignee=director_b)
    other = _raise(oc_a.estate, oc_a, "车库渗水", actor=director_a)
    Issue.objects.filter(pk=other.pk).update(assignee=supervisor_a)
    # a department colleague of estate B who has no issue of chair B's committee
    colleague = UserFactory(username="dept_b", name="孙工", role=Role.DEPARTMENT)
    StaffAssignment.objects.create(estate=oc_b.estate, user=colleague, role=Role.DEPARTMENT)
    html = client_for(chair_b).get("/issues/").content.decode()
    assert "钱主任" in html  # the person responsible for their own issue is offered
    for name in ("王主任", "李主管", "赵工", "陈总", "孙工"):
        assert name not in html, name
    # a forged choice of someone else is a message on the field, not a filtered list naming them
    r = client_for(chair_b).get("/issues/", {"assignee": supervisor_a.pk})
    assert r.status_code == 200 and "李主管" not in r.content.decode()


def test_row14_the_assessment_drill_down_never_names_someone_outside_the_directors_estates(
    client_for, director_a, dept_a, director_b, leader
):
    from django.utils import timezone

    month = timezone.localdate().strftime("%Y-%m")
    url = f"/assessment/{month}/records/raised/"
    for staff_url in (url, f"/assessment/{month}/cadence/"):
        r = client_for(director_b).get(staff_url, {"staff": director_a.pk})
        assert r.status_code == 404 and "王主任" not in r.content.decode()
        # the same answer as an id nobody has: whether the user exists is not told either
        assert client_for(director_b).get(staff_url, {"staff": 999999}).status_code == 404
    # their own team and the leader are named; the leader sees everyone
    r = client_for(director_a).get(url, {"staff": dept_a.pk})
    assert r.status_code == 200 and "赵工" in r.content.decode()
    assert "陈总" in client_for(director_a).get(url, {"staff": leader.pk}).content.decode()
    r = client_for(leader).get(url, {"staff": director_a.pk})
    assert r.status_code == 200 and "王主任" in r.content.decode()


# --- row 4: the client's address behind the proxy --------------------------------------------------------


class _Proxy:
    """A reverse proxy in a thread, as docs/deploy.md's nginx: forwards to the app with the Host kept and
    `X-Forwarded-For: $proxy_add_x_forwarded_for` (what the client sent, then the client's own address)."""

    def __init__(self, upstream_port):
        import http.client
        import http.server
        import threading

        class Handler(http.server.BaseHTTPRequestHandler):
            def _forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "x-forwarded-for")}
                sent = self.headers.get("X-Forwarded-For")
                headers["X-Forwarded-For"] = f"{sent}, {self.client_address[0]}" if sent else self.client_address[0]
                conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=30)
                conn.request(self.command, self.path, body=body or None, headers=headers)
                r = conn.getresponse()
                data = r.read()
                self.send_response(r.status)
                for k, v in r.getheaders():
                    if k.lower() not in ("connection", "transfer-encoding", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            do_GET = do_POST = _forward

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class _Browser:
    """One client machine (its own loopback source address) talking to the proxy, with its cookies."""

    def __init__(self, proxy_port, source):
        self.port, self.source, self.cookies = proxy_port, source, {}

    def request(self, method, path, form=None, headers=None):
        import http.client
        import urllib.parse

        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=(self.source, 0))
        head = {"Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            head["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=head)
        r = conn.getresponse()
        text = r.read().decode("utf-8", "replace")
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _sep, rest = v.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        conn.close()
        return r.status, text

    def login(self, username, password):
        import re

        _status, page = self.request("GET", "/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.request(
            "POST", "/login/", {"username": username, "password": password, "csrfmiddlewaretoken": token}
        )[0]


@pytest.fixture
def proxy(live_server, settings):
    settings.LIAISON_TRUSTED_PROXIES = ["127.0.0.1"]
    p = _Proxy(int(live_server.url.rsplit(":", 1)[1]))
    yield p
    p.close()


@pytest.mark.django_db(transaction=True)
def test_row4_one_clients_wrong_passwords_behind_the_proxy_lock_out_only_that_client(
    proxy, director_a, password, settings
):
    settings.AXES_ENABLED = True
    attacker = _Browser(proxy.port, "127.0.0.5")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attacker.login("director_a", "wrong-password") == 200
    assert attacker.login("director_a", "wrong-password") == 429  # the fifth locks
    assert attacker.login("director_a", password) == 429  # the attacker's address is locked
    # the director, from another machine behind the same proxy, logs in
    assert _Browser(proxy.port, "127.0.0.6").login("director_a", password) == 302
    # a forged X-Forwarded-For does not get the attacker out of the lock either: the proxy appends the
    # real address, and that is the one read
    forged = _Browser(proxy.port, "127.0.0.5")
    _status, page = forged.request("GET", "/login/", headers={"X-Forwarded-For": "127.0.0.77"})
    import re

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, _page = forged.request(
        "POST",
        "/login/",
        {"username": "director_a", "password": password, "csrfmiddlewaretoken": token},
        headers={"X-Forwarded-For": "127.0.0.77"},
    )
    assert status == 429
    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.5"}


def test_row4_x_forwarded_for_is_believed_only_from_a_trusted_proxy(settings, rf):
    from liaison.clientip import client_ip

    def ip(remote, xff=None):
        extra = {"REMOTE_ADDR": remote} | ({"HTTP_X_FORWARDED_FOR": xff} if xff else {})
        return client_ip(rf.get("/", **extra))

    settings.LIAISON_TRUSTED_PROXIES = []
    assert ip("198.51.100.4", "203.0.113.9") == "198.51.100.4"  # no proxy configured: ignored
    assert ip("127.0.0.1", "203.0.113.9") == "127.0.0.1"
    settings.LIAISON_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/24"]
    assert ip("198.51.100.4", "203.0.113.9") == "198.51.100.4"  # from a client directly: ignored
    assert ip("127.0.0.1", "203.0.113.9") == "203.0.113.9"
    # the rightmost address that is no trusted proxy; what the client wrote further left is not used
    assert ip("127.0.0.1", "1.2.3.4, 203.0.113.9, 10.0.0.7") == "203.0.113.9"
    assert ip("127.0.0.1", "garbage, 203.0.113.9:5123") == "203.0.113.9"
    assert ip("127.0.0.1", "203.0.113.9, garbage") == "127.0.0.1"  # a broken hop: nothing left of it
    assert ip("127.0.0.1", "[2001:db8::1]:443") == "2001:db8::1"
    # every limit and the signature's recorded address read the same
    from api.throttling import ApiRateThrottle
    from liaison import ratelimit
    from records import signoff

    req = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert ratelimit.client_ip(req) == signoff.client_ip(req) == ApiRateThrottle().get_ident(req) == "203.0.113.9"
    settings.LIAISON_TRUSTED_PROXIES = []
    # DRF's own get_ident believed any client's header (a new address per request: no anonymous limit)
    assert ApiRateThrottle().get_ident(req) == "127.0.0.1"
    settings.LIAISON_TRUSTED_PROXIES = ["not-an-address"]
    from liaison.checks import trusted_proxies

    assert [e.id for e in trusted_proxies(None)] == ["liaison.E001"]


# --- row 3: QR self sign-in guessed ----------------------------------------------------------------------


@pytest.fixture
def open_meeting(oc_a, director_a):
    """A confirmed meeting of estate A that started ten minutes ago: its QR sign-in is open; 王建国 is invited."""
    import datetime

    from django.utils import timezone

    from tests.records import factories as f

    m = f.meeting(oc_a.estate, oc_a, organizer=director_a, starts_at=timezone.now() - datetime.timedelta(minutes=10))
    f.invite(m, "王建国", "业委会委员", phone="13801500001")
    f.invite(m, "刘堃", "业委会委员", phone="13912345678")
    return m


def _guess(client, m, middle):
    return client.post(f"/meetings/checkin/{m.checkin_token}/", {"name": "王建国", "phone": f"138{middle:04d}0001"})


def test_row3_guessing_the_hidden_digits_from_one_client_stops_after_ten(open_meeting):
    from liaison.models import AuditEntry
    from meetings.models import Attendance

    m = open_meeting
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    codes = [_guess(attacker, m, middle).status_code for middle in range(301)]  # the real one is 0150
    assert codes[:10] == [200] * 10 and set(codes[10:]) == {429}
    assert not Attendance.objects.filter(meeting=m).exists()
    last = _guess(attacker, m, 150).content.decode()
    assert "不符的签到尝试过多，请到签到台由工作人员签到。" in last
    refused = AuditEntry.objects.filter(
        object_type="meetings.meeting", object_id=str(m.pk), action="qr_sign_in_refused"
    )
    reasons = [a.changes["reason"] for a in refused]
    assert reasons.count("no_match") == 10 and reasons.count("too_many_tries") == 1  # not one row per flood try
    # the blocked client's tries did not use up the meeting's: the others can still sign in by QR
    assert {a.changes["client"] for a in refused} == {"198.51.100.7"}
    assert {a.changes["phone_end"] for a in refused} == {"0001"}  # never the whole typed number
    # the invitee, on their own phone, with the full number: signed in, recorded with their address
    r = Client(REMOTE_ADDR="203.0.113.20").post(
        f"/meetings/checkin/{m.checkin_token}/", {"name": "王建国", "phone": "138 0150 0001"}
    )
    assert r.status_code == 200 and 'id="checkin-done"' in r.content.decode()
    att = Attendance.objects.get(meeting=m)
    assert att.name == "王建国" and att.method == Attendance.Method.QR
    signed = AuditEntry.objects.get(action="signed_in", object_id=str(att.pk))
    assert signed.changes["client"] == "203.0.113.20"


def test_row3_guessing_from_many_clients_stops_at_the_meetings_limit(open_meeting):
    from meetings.models import Attendance

    m = open_meeting
    codes = [_guess(Client(REMOTE_ADDR=f"198.51.100.{i % 250 + 1}"), m, i).status_code for i in range(301)]
    assert codes[:30] == [200] * 30 and set(codes[30:]) == {429}  # the 150th guess, right, never tried
    assert not Attendance.objects.filter(meeting=m).exists()


def test_row3_the_middle_digits_alone_or_a_short_number_do_not_identify(open_meeting):
    m = open_meeting
    client = Client(REMOTE_ADDR="198.51.100.8")
    for phone in ("0001", "1380001", "138****0001"):
        r = client.post(f"/meetings/checkin/{m.checkin_token}/", {"name": "王建国", "phone": phone})
        assert "请输入您的姓名和邀请名单上完整的11位手机号码。" in r.content.decode()


def _sheet_text(client, m):
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) not installed")
    r = client.get(f"/records/meetings/{m.pk}/signin.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    return subprocess.run(["pdftotext", "-", "-"], input=r.content, capture_output=True, check=True).stdout.decode()


def test_row3_the_sheet_carries_a_qr_only_for_the_staff_before_the_meeting_is_held(open_meeting, director_a, chair_a):
    from meetings import actions
    from records import meetings_forms

    m = open_meeting
    staff, member = Client(), Client()
    staff.force_login(director_a)
    member.force_login(chair_a)
    assert meetings_forms.signin_sheet(m, user=director_a)["qr"]  # the staff print it for the door
    assert "扫码签到" in _sheet_text(staff, m)
    text = _sheet_text(member, m)  # a member's download: no code, sign on paper
    assert "扫码签到" not in text and "请在本表签到。" in text and "138****0001" in text
    inv = m.invitations.get(name="刘堃")
    actions.sign_in_invitee(m, inv, actor=director_a, now=m.starts_at)
    m.refresh_from_db()
    assert m.status == "held"
    assert meetings_forms.signin_sheet(m, user=director_a)["qr"] is None  # held: no usable code on paper
    assert "扫码签到" not in _sheet_text(staff, m)


# --- row 9: double submit ----------------------------------------------------------------------------------


def _once_token(client, url):
    import re

    html = client.get(url).content.decode()
    return re.search(r'name="_once" value="([^"]+)"', html).group(1)


def _four_at_once(user, form_url, post_url, data):
    """The form is loaded once, then sent four times at once (four connections, the same session's user),
    as a double-clicking browser or a script repeating the request does."""
    clients = []
    for _i in range(4):
        c = Client()
        c.force_login(user)
        clients.append(c)
    data = {**data, "_once": _once_token(clients[0], form_url)}
    return _at_once([lambda c=c: c.post(post_url, data) for c in clients])


def _one_result(responses):
    assert [r.status_code for r in responses] == [302] * 4, [r.status_code for r in responses]
    locations = {r["Location"] for r in responses}
    assert len(locations) == 1, locations  # every repeat is sent to the same result
    return locations.pop()


@pytest.mark.django_db(transaction=True)
def test_row9_four_concurrent_raise_issue_posts_make_one_issue(chair_a, oc_a):
    from .conftest import needs_pg_and_redis

    needs_pg_and_redis()
    responses = _four_at_once(
        chair_a,
        "/issues/new/",
        "/issues/new/",
        {"committee": oc_a.pk, "title": "电梯异响", "description": "3栋电梯运行时有异响", "urgency": "normal"},
    )
    location = _one_result(responses)
    issue = Issue.objects.get()
    assert location == f"/issues/{issue.pk}/"
    # the page of the result opens, no error page; a new form (a new token) raises a second issue
    c = Client()
    c.force_login(chair_a)
    assert c.get(location).status_code == 200
    r = c.post(
        "/issues/new/",
        {
            "committee": oc_a.pk,
            "title": "电梯异响",
            "description": "又响了",
            "urgency": "normal",
            "_once": _once_token(c, "/issues/new/"),
        },
    )
    assert r.status_code == 302 and Issue.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_row9_four_concurrent_walk_ins_replies_and_resolutions_make_one_each(director_a, oc_a, open_meeting_tx):
    from followups.models import Reply
    from liaison.models import AuditEntry
    from meetings.models import Attendance

    from .conftest import needs_pg_and_redis
    from .test_injection_22 import _raise

    needs_pg_and_redis()
    m = open_meeting_tx
    signin = f"/meetings/{m.pk}/signin/"
    _one_result(_four_at_once(director_a, signin, f"{signin}walk-in/", {"name": "业主王五", "unit": "3栋101"}))
    assert Attendance.objects.filter(meeting=m, name="业主王五").count() == 1

    issue = _raise(oc_a.estate, oc_a, "车库渗水", actor=director_a)
    page = f"/issues/{issue.pk}/"
    assert _one_result(_four_at_once(director_a, page, f"{page}reply/", {"text": "已安排维修"})) == page
    assert Reply.objects.filter(issue=issue).count() == 1
    assert _one_result(_four_at_once(director_a, page, f"{page}resolve/", {"resolution": "已更换防水层"})) == page
    resolved = AuditEntry.objects.filter(object_id=str(issue.pk), object_type="followups.issue", action="resolved")
    assert resolved.count() == 1


@pytest.mark.django_db(transaction=True)
def test_row9_a_form_sent_back_with_errors_can_be_sent_again_with_its_token(chair_a, oc_a):
    from .conftest import needs_pg_and_redis

    needs_pg_and_redis()
    c = Client()
    c.force_login(chair_a)
    token = _once_token(c, "/issues/new/")
    bad = {"committee": oc_a.pk, "title": "电梯异响", "description": "", "urgency": "normal", "_once": token}
    assert c.post("/issues/new/", bad).status_code in (200, 400)
    assert c.post("/issues/new/", {**bad, "description": "3栋电梯"}).status_code == 302
    assert Issue.objects.count() == 1


@pytest.fixture
def open_meeting_tx(oc_a, director_a):
    import datetime

    from django.utils import timezone

    from tests.records import factories as f

    return f.meeting(oc_a.estate, oc_a, organizer=director_a, starts_at=timezone.now() - datetime.timedelta(minutes=10))


@pytest.mark.django_db(transaction=True)
def test_row9_api_idempotency_key_four_concurrent_posts_make_one_issue(director_a, oc_a):
    from .conftest import needs_pg_and_redis

    needs_pg_and_redis()
    auth = _bearer(director_a)
    body = {
        "committee": oc_a.pk,
        "description": "地下车库B区渗水",
        "raised_by": "张喆",
        "raised_at": "2026-03-02T10:00:00+08:00",
        "source": "meeting",
    }

    def post(data=body, key="9b1f3c7e-issue-1"):
        return Client().post(
            "/api/issues/", json.dumps(data), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key, **auth
        )

    responses = _at_once([post] * 4)
    assert [r.status_code for r in responses] == [201] * 4
    assert len({r.json()["id"] for r in responses}) == 1 and Issue.objects.count() == 1
    assert sum(r.get("Idempotent-Replayed") == "true" for r in responses) == 3
    # the same key with another body is refused; another key is another issue
    r = post({**body, "description": "别的问题"})
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"
    assert post(key="9b1f3c7e-issue-2").status_code == 201 and Issue.objects.count() == 2
    # without the header the API works as before
    assert Client().post("/api/issues/", json.dumps(body), content_type="application/json", **auth).status_code == 201


@pytest.mark.django_db(transaction=True)
def test_row9_four_concurrent_minutes_posts_with_a_new_resolution_make_one(director_a, oc_a, open_meeting_tx):
    import datetime

    from meetings import actions
    from meetings.models import Resolution

    from .conftest import needs_pg_and_redis

    needs_pg_and_redis()
    m = open_meeting_tx
    actions.add_walk_in(m, actor=director_a, name="业主王五", unit="3栋101", phone="", now=m.starts_at)
    page = f"/meetings/{m.pk}/minutes/"
    data = {
        "version": 0,
        "host_name": "王主任",
        "recorder_name": "王主任",
        "summary": "",
        "resolution-TOTAL_FORMS": 1,
        "resolution-INITIAL_FORMS": 0,
        "resolution-0-text": "同意更换B区防水层",
        "resolution-0-owner_name": "物业工程部",
        "resolution-0-action": "两周内完成",
        "resolution-0-due_date": (m.starts_at + datetime.timedelta(days=14)).date().isoformat(),
    }
    assert _one_result(_four_at_once(director_a, page, page, data)) == page
    assert Resolution.objects.filter(meeting=m).count() == 1
