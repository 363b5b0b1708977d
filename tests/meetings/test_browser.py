"""In Chromium: the director schedules a special-topic meeting, the leader approves it with an
instruction, and on the day the director ticks attendance on the sign-in sheet."""

import datetime

import pytest
from django.utils import timezone

from meetings.models import Meeting


def _login(page, base, user, password):
    page.goto(f"{base}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.click("#login-submit")
    page.wait_for_url(f"{base}/")


@pytest.mark.browser
def test_special_topic_from_scheduling_through_approval_to_sign_in(
    browser, live_server, transactional_db, kinds, estate_a, oc_a, director_a, leader, chair_a, password
):
    base = live_server.url
    ctx = browser.new_context(locale="zh-CN")
    page = ctx.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _login(page, base, director_a, password)

    page.goto(f"{base}/meetings/new/?estate={estate_a.pk}")
    start = timezone.localtime(timezone.now() + datetime.timedelta(days=10)).replace(hour=14, minute=0)
    page.select_option("#id_committee", str(oc_a.pk))
    page.select_option("#id_kind", str(kinds["special_topic"].pk))
    page.fill("#id_title", "电梯更新专题会议")
    page.fill("#id_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_ends_at", (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_place", "管理处二楼会议室")
    page.click("#form-submit")
    page.wait_for_selector("#meeting-title")
    assert page.inner_text("#meeting-title") == "电梯更新专题会议"

    page.click("#add-agenda")
    page.fill("#id_title", "使用专项维修资金更新3栋电梯")
    page.fill("#id_cause", "电梯使用18年，故障频发")
    page.fill("#id_support_requested", "请业委会组织业主表决")
    page.click("#form-submit")
    page.wait_for_selector("#agenda")
    assert "使用专项维修资金更新3栋电梯" in page.inner_text("#agenda")

    page.click("#submit-approval")
    page.wait_for_selector("#awaiting")
    meeting = Meeting.objects.get(title="电梯更新专题会议")
    assert meeting.status == "awaiting_approval" and meeting.sent_at is None
    page.click("form[action='/logout/'] button")

    _login(page, base, leader, password)
    page.goto(f"{base}/meetings/approvals/")
    page.click("text=电梯更新专题会议")
    page.fill("#instruction", "同意召开，做好业主解释工作")
    page.click("#approve-btn")
    page.wait_for_selector("#approval")
    assert "同意召开" in page.inner_text("#approval")
    meeting.refresh_from_db()
    assert meeting.status == "draft" and meeting.approver == leader and meeting.sent_at is None
    page.click("form[action='/logout/'] button")

    # the director reads the instruction and sends it
    _login(page, base, director_a, password)
    page.goto(f"{base}/meetings/{meeting.pk}/")
    assert "同意召开" in page.inner_text("#approval")
    page.click("#send-btn")
    page.wait_for_load_state()
    meeting.refresh_from_db()
    assert meeting.status == "confirmed" and meeting.sent_at is not None
    page.click("form[action='/logout/'] button")

    # the day of the meeting
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=5), ends_at=timezone.now() + datetime.timedelta(hours=1)
    )
    _login(page, base, director_a, password)
    page.goto(f"{base}/meetings/{meeting.pk}/signin/")
    assert page.get_attribute("#checkin-qr", "src").startswith("data:image/svg+xml;base64,")
    inv = meeting.invitations.get(user=chair_a)
    page.evaluate("window.__same_page = true")  # gone if the page reloads
    page.click(f"#tick-{inv.pk}")
    page.wait_for_selector("#held-badge")
    assert chair_a.name in page.inner_text("#signin-list")
    # ticked in place: the same page, the row now offers an undo, which puts the tick back
    assert page.evaluate("window.__same_page === true")
    page.click(f"#undo-{inv.pk}")
    page.wait_for_selector(f"#tick-{inv.pk}")
    page.click(f"#tick-{inv.pk}")
    page.wait_for_selector(f"#undo-{inv.pk}")
    assert page.evaluate("window.__same_page === true")
    meeting.refresh_from_db()
    assert meeting.is_held and meeting.attendances.get().name == chair_a.name
    assert not errors, errors
    ctx.close()
