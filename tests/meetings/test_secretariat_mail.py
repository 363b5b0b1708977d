"""What is sent is what is said (issue 17 item 6): the secretariat's e-mail, received by a real SMTP sink.

An invitation carries the agenda as a PDF, the materials that fit the size limit and a calendar file with
the feed's UID and SEQUENCE; the body names every material, attached or linked. A cancellation carries
METHOD:CANCEL. A committee without a secretariat address is flagged before sending, and the dispatch log
says for each sending whether its e-mail went, was not needed or had no address."""

import datetime
import re
import shutil
import socket
import subprocess
from email import message_from_bytes, policy

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.html import strip_tags
from icalendar import Calendar

from meetings import actions, jobs
from meetings.models import Dispatch

pytestmark = pytest.mark.django_db

SITE = "https://liaison.example.com"
SECRETARIAT = "oc-office@example.com"
LIMIT = 4096
AGENDA_TITLE = "更换3号楼电梯"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """aiosmtpd handler keeping every message it receives, with its envelope recipients."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 OK"


@pytest.fixture
def sink(settings):
    from aiosmtpd.controller import Controller

    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.DEFAULT_FROM_EMAIL = "物业联络平台 <liaison@example.com>"
    settings.SITE_URL = SITE
    settings.MEETINGS_EMAIL_ATTACH_MAX_BYTES = LIMIT
    yield handler
    controller.stop()


@pytest.fixture
def now():
    return timezone.now()  # the calendar feed shows meetings around the real date


def _pdf_file(name, size):
    head = b"%PDF-1.4\n"
    return SimpleUploadedFile(name, head + b"0" * (size - len(head)), content_type="application/pdf")


@pytest.fixture
def meeting(make_meeting, director_a, chair_a, now):
    m = make_meeting(starts_at=now + datetime.timedelta(days=10), now=now, title="三月例会")
    actions.add_agenda_item(
        m,
        actor=director_a,
        now=now,
        title=AGENDA_TITLE,
        presenter="赵工",
        cause="电梯故障频发，业主投诉较多",
        support_requested="请业委会组织业主表决使用维修资金",
    )
    actions.upload_material(m, actor=director_a, now=now, file=_pdf_file("维修报价单.pdf", 1500))
    actions.upload_material(m, actor=director_a, now=now, file=_pdf_file("电梯检测报告.pdf", LIMIT + 2000))
    return m


def _send(meeting, actor, now, captured):
    with captured(execute=False):
        actions.send_meeting(meeting, actor=actor, now=now)
    meeting.refresh_from_db()
    return Dispatch.objects.get(meeting=meeting, kind=Dispatch.Kind.INVITATION)


def _attachments(msg):
    return {part.get_filename(): part for part in msg.iter_attachments()}


def _pdftotext(data):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def _feed_event(client, user, meeting):
    client.force_login(user)
    url = client.get("/meetings/calendar/").context["feed_url"]
    client.logout()
    body = client.get(url.split("testserver", 1)[1]).content
    (ev,) = [e for e in Calendar.from_ical(body).events if e["UID"] == f"{meeting.uid}@liaison"]
    return ev


def test_invitation_carries_agenda_pdf_materials_and_calendar(
    sink, meeting, oc_a, director_a, chair_a, now, client, django_capture_on_commit_callbacks
):
    oc_a.secretariat_email = SECRETARIAT
    oc_a.save()
    d = _send(meeting, director_a, now, django_capture_on_commit_callbacks)
    assert jobs.email_secretariat(d.pk, now=now) is True

    ((rcpts, msg),) = sink.messages
    assert rcpts == [SECRETARIAT] and msg["To"] == SECRETARIAT
    assert msg["Subject"] == "【会议通知】三月例会"
    assert msg["Reply-To"] == director_a.email  # an answer reaches the organiser
    files = _attachments(msg)
    assert set(files) == {"会议议程-三月例会.pdf", "维修报价单.pdf", "meeting.ics"}

    # the agenda, as a PDF the secretariat can print
    pdf = files["会议议程-三月例会.pdf"].get_content()
    assert pdf.startswith(b"%PDF")
    text = _pdftotext(pdf)
    for words in (
        AGENDA_TITLE,
        "会议议程",
        "三月例会",
        "电梯故障频发",
        "管理处会议室",
        "维修报价单.pdf",
        "电梯检测报告.pdf",
    ):
        assert words in text, words

    # the small material attached as uploaded; the large one linked in the body, by name and URL
    small, large = meeting.materials.order_by("pk")
    assert files["维修报价单.pdf"].get_content() == small.file.open("rb").read()
    body = msg.get_body(("plain",)).get_content()
    assert AGENDA_TITLE in body and "起因：电梯故障频发" in body
    assert "维修报价单.pdf" in body
    found = re.search(
        rf"电梯检测报告\.pdf（{(LIMIT + 2000) / 1024:.1f} KB）：{SITE}(/meetings/materials/link/\S+/)", body
    )
    assert found, body
    assert "超出邮件附件总大小上限（4.0 KB）" in body and "无需登录，30 天内有效" in body

    # the link opens the file without an account (the secretariat has none) ...
    link = found[1]
    anonymous = Client()
    response = anonymous.get(link)
    assert response.status_code == 200 and b"".join(response.streaming_content) == large.file.open("rb").read()
    # ... names that one file only (a changed token is refused), and ends when the file is removed
    assert anonymous.get(link[:-3] + "xx/").status_code == 404
    assert anonymous.get(f"/meetings/materials/{large.pk}/").status_code == 302  # the plain URL needs a login
    actions.delete_material(large, actor=director_a, now=now)
    gone = anonymous.get(link)
    assert gone.status_code == 404 and "此链接已失效" in gone.content.decode()

    # the calendar file: the meeting as the feed has it (same UID and SEQUENCE), as an invitation
    ics = files["meeting.ics"]
    assert ics.get_content_type() == "text/calendar" and ics.get_param("method") == "REQUEST"
    cal = Calendar.from_ical(ics.get_content())
    assert cal["METHOD"] == "REQUEST"
    (ev,) = cal.events
    feed = _feed_event(client, chair_a, meeting)
    assert str(ev["SUMMARY"]) == "三月例会" and ev["LOCATION"] == "管理处会议室"
    assert ev.start == meeting.starts_at.replace(microsecond=0)
    assert ev["UID"] == feed["UID"] == f"{meeting.uid}@liaison"
    assert ev["SEQUENCE"] == feed["SEQUENCE"] == 0
    assert str(ev["ATTENDEE"]) == f"mailto:{SECRETARIAT}"

    # the meeting page's log says it went, and what it carried
    page = client_for_page(client, director_a, meeting)
    assert f"已发送至 {SECRETARIAT}" in page
    assert "附议程 PDF、日历文件和 1 份材料" in page and "1 份材料以链接发送" in page


def client_for_page(client, user, meeting, *, html=False):
    """The meeting page as the user reads it (text without tags), or its HTML."""
    client.force_login(user)
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    return page if html else re.sub(r"\s+", " ", strip_tags(page))


def test_change_and_cancellation_move_then_remove_the_calendar_entry(
    sink, meeting, oc_a, director_a, now, django_capture_on_commit_callbacks
):
    oc_a.secretariat_email = SECRETARIAT
    oc_a.save()
    d = _send(meeting, director_a, now, django_capture_on_commit_callbacks)
    assert jobs.email_secretariat(d.pk, now=now) is True
    later = meeting.starts_at + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=False):
        actions.update_meeting(
            meeting,
            actor=director_a,
            now=now,
            reason="主任出差",
            starts_at=later,
            ends_at=later + datetime.timedelta(hours=2),
        )
    assert jobs.retry_secretariat_email(now) == 1
    with django_capture_on_commit_callbacks(execute=False):
        actions.cancel_meeting(meeting, actor=director_a, reason="台风预警", now=now)
    assert jobs.retry_secretariat_email(now) == 1

    (_r1, invitation), (_r2, update), (_r3, cancellation) = sink.messages
    assert update["Subject"] == "【会议改期通知】三月例会"
    assert "原因：主任出差" in update.get_body(("plain",)).get_content()
    up = Calendar.from_ical(_attachments(update)["meeting.ics"].get_content())
    (ev,) = up.events
    assert up["METHOD"] == "REQUEST" and ev["SEQUENCE"] == 1 and ev.start == later.replace(microsecond=0)
    assert "会议议程-三月例会.pdf" in _attachments(update)  # the whole notice again, at the new time

    assert cancellation["Subject"] == "【会议取消通知】三月例会"
    assert "原因：台风预警" in cancellation.get_body(("plain",)).get_content()
    files = _attachments(cancellation)
    assert set(files) == {"meeting.ics"} and files["meeting.ics"].get_param("method") == "CANCEL"
    cal = Calendar.from_ical(files["meeting.ics"].get_content())
    (ev,) = cal.events
    assert cal["METHOD"] == "CANCEL" and ev["STATUS"] == "CANCELLED" and ev["SEQUENCE"] == 2
    first = Calendar.from_ical(_attachments(invitation)["meeting.ics"].get_content()).events[0]
    assert ev["UID"] == first["UID"] == f"{meeting.uid}@liaison"


def test_a_notice_still_waiting_when_a_later_one_replaces_it_is_not_sent(
    sink, meeting, oc_a, director_a, now, client, django_capture_on_commit_callbacks
):
    oc_a.secretariat_email = SECRETARIAT
    oc_a.save()
    _send(meeting, director_a, now, django_capture_on_commit_callbacks)  # the mail server is not reached yet
    with django_capture_on_commit_callbacks(execute=False):
        actions.cancel_meeting(meeting, actor=director_a, reason="台风预警", now=now)
    assert jobs.retry_secretariat_email(now) == 1
    ((_rcpts, only),) = sink.messages
    assert only["Subject"] == "【会议取消通知】三月例会"  # no invitation to a meeting already cancelled
    page = client_for_page(client, director_a, meeting)
    assert "无需发送：已由之后的通知取代" in page and f"已发送至 {SECRETARIAT}" in page


def test_a_failed_send_is_shown_and_retried(
    sink, settings, meeting, oc_a, director_a, now, client, django_capture_on_commit_callbacks
):
    oc_a.secretariat_email = SECRETARIAT
    oc_a.save()
    d = _send(meeting, director_a, now, django_capture_on_commit_callbacks)
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = _free_port()  # nothing listens there
    with pytest.raises(OSError):
        jobs.email_secretariat(d.pk, now=now)
    assert "上次发送失败，每小时自动重试" in client_for_page(client, director_a, meeting)
    settings.EMAIL_PORT = port
    assert jobs.retry_secretariat_email(now) == 1 and len(sink.messages) == 1
    assert f"已发送至 {SECRETARIAT}" in client_for_page(client, director_a, meeting)


def test_committee_without_address_is_flagged_and_the_log_says_so(
    sink, meeting, oc_a, director_a, chair_a, now, client, django_capture_on_commit_callbacks
):
    assert not oc_a.secretariat_email
    warning = "该委员会没有秘书处邮箱，通知只会发给系统内的成员"
    page = client_for_page(client, director_a, meeting, html=True)
    assert warning in page and f'href="/committees/{oc_a.pk}/edit/"' in page

    _send(meeting, director_a, now, django_capture_on_commit_callbacks)
    assert jobs.retry_secretariat_email(now) == 0 and sink.messages == []
    page = client_for_page(client, director_a, meeting)
    assert "秘书处邮件：未发送，该委员会没有秘书处邮箱" in page
    assert warning in page  # a change or a cancellation would not reach it either
    assert warning not in client_for_page(client, chair_a, meeting)  # staff only

    # once the address is there, the flag goes
    oc_a.secretariat_email = SECRETARIAT
    oc_a.save()
    assert warning not in client_for_page(client, director_a, meeting)


def test_a_material_link_expires(meeting, monkeypatch, client):
    """The link in the e-mail works for MEETINGS_MATERIAL_LINK_DAYS (30) days, then says it has expired."""
    from django.core import signing

    from meetings.material_links import material_link

    material = meeting.materials.order_by("pk").first()
    path = material_link(material).split("://", 1)[1].split("/", 1)[1]
    assert client.get(f"/{path}").status_code == 200
    later = signing.time.time() + 31 * 86400
    monkeypatch.setattr(signing.time, "time", lambda: later)
    gone = client.get(f"/{path}")
    assert gone.status_code == 404 and "30 天内有效" in gone.content.decode()


def test_a_tampered_material_link_opens_nothing(meeting, client):
    """Changing one character of the token (or naming another material) gets the 'link not valid' page."""
    from meetings.material_links import material_link

    material = meeting.materials.order_by("pk").first()
    path = material_link(material).split("://", 1)[1].split("/", 1)[1]
    token = path.rstrip("/").rsplit("/", 1)[1]
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = client.get(f"/{path.replace(token, forged)}")
    assert response.status_code == 404
    assert material.file.name.rsplit("/", 1)[-1] not in response.content.decode()
