"""The whole journey of a committee member on a phone, by tapping (Chromium, is_mobile, 390×844 and
360×740): answer an invitation, raise an issue with two photos from the camera, confirm a resolution,
object to the minutes. Each page on the way fits the screen (test_member_phone's measure).

Set TEST_ARTIFACTS=<folder> to keep a screenshot of each step."""

import datetime
import io

import pytest
from django.utils import timezone
from PIL import Image

from followups.models import Issue
from liaison import demo
from liaison.models import User
from meetings import actions as meeting_actions
from meetings.models import MeetingKind
from records.models import MinutesResponse

from .test_member_phone import MEASURE, PHONES, phone, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(live_server, settings):
    settings.RECORDS_MINUTES_ANSWER_DAYS = 365  # the demo's minutes were distributed weeks ago
    demo.seed()
    return live_server.url


def photo(tmp_path, name, fmt, colour):
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(buf, fmt)
    path = tmp_path / name
    path.write_bytes(buf.getvalue())
    return str(path)


def _meeting_sent_to(chair):
    """The director sends the chair's committee a meeting ten days ahead."""
    director = User.objects.get(username="director")
    committee = chair.memberships.filter(ended_on__isnull=True).first().committee
    now = timezone.now()
    starts = now.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=10)
    meeting = meeting_actions.create_meeting(
        estate=committee.estate,
        committee=committee,
        kind=MeetingKind.objects.get(code="oc_monthly"),
        title="十二月业委会月度沟通",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        place="管理处二楼会议室",
        actor=director,
        now=now,
    )
    meeting_actions.send_meeting(meeting, actor=director, now=now)
    return meeting


def fits(page, step, broken):
    m = page.evaluate(MEASURE)
    if m["scrollWidth"] > m["viewport"] or m["narrow"]:
        broken.append((step, m["scrollWidth"], m["narrow"][:5]))


@pytest.mark.parametrize("size", PHONES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_member_does_their_part_by_tapping(browser, world, tmp_path, size):
    chair = User.objects.get(username="oc_chair")
    invited = _meeting_sent_to(chair)
    ctx, page, errors = phone(browser, world, "oc_chair", size, "zh-hans")
    broken = []

    # 1. an invitation answered from the meetings list
    page.goto(f"{world}/meetings/")
    card = page.locator(f"#upcoming-cards li[data-meeting='{invited.pk}']")
    assert "您的回复: 未回复" in card.inner_text()
    with page.expect_navigation():
        card.locator("button[value=accepted]").tap()
    assert "您的回复: 参加" in page.locator(f"#upcoming-cards li[data-meeting='{invited.pk}']").inner_text()
    assert invited.invitations.get(user=chair).response == "accepted"
    fits(page, "meetings", broken)
    shoot(page, f"journey-{size[0]}-1-meetings")

    # 2. an issue raised with two photos taken on the phone
    page.goto(f"{world}/issues/new/")
    page.fill("#issue-form [name=title]", "单元门禁损坏")
    page.fill("#issue-form [name=description]", "3栋单元门禁刷卡无反应，老人进出困难。")
    page.set_input_files(
        "#issue-form input[name=photos]",
        [photo(tmp_path, "门禁.jpg", "JPEG", (200, 40, 40)), photo(tmp_path, "门禁2.png", "PNG", (40, 40, 200))],
    )
    fits(page, "raise", broken)
    with page.expect_navigation():
        page.locator("#issue-submit").tap()
    issue = Issue.objects.get(title="单元门禁损坏")
    assert page.url.endswith(f"/issues/{issue.pk}/")
    assert page.locator(".photo-grid img").count() == 2
    fits(page, "raised", broken)
    shoot(page, f"journey-{size[0]}-2-raised")

    # 3. a resolution confirmed: the issue the company reports as resolved
    waiting = Issue.objects.visible_to(chair).filter(status=Issue.Status.RESOLVED).first()
    page.goto(f"{world}/issues/{waiting.pk}/")
    page.locator("#issue-phone-bar a[href='#panel-confirm']").tap()
    page.locator("#panel-confirm input[name=satisfaction]").first.check()
    with page.expect_navigation():
        page.locator("#panel-confirm button[type=submit]").tap()
    waiting.refresh_from_db()
    assert waiting.status != Issue.Status.RESOLVED  # confirmed: closed, or reopened if not satisfied
    fits(page, "confirmed", broken)
    shoot(page, f"journey-{size[0]}-3-confirmed")

    # 4. an objection to the minutes of the last meeting
    response_before = MinutesResponse.objects.filter(user=chair).count()
    page.goto(f"{world}/meetings/")
    meeting = next(
        m
        for m in chair.meeting_invitations.select_related("meeting__minutes").order_by("-meeting__starts_at")
        if hasattr(m.meeting, "minutes") and m.meeting.minutes.is_final
    ).meeting
    page.goto(f"{world}/meetings/{meeting.pk}/")
    with page.expect_navigation():
        page.locator("#minutes-answers-link").tap()
    page.locator("#answer-form [name=answer][value=objected]").check()
    page.fill("#answer-form [name=comment]", "第二项决议的完成期限记错了，应为月底。")
    with page.expect_navigation():
        page.locator("#answer-submit").tap()
    assert "第二项决议的完成期限记错了" in page.locator("#my-answer").inner_text()
    assert MinutesResponse.objects.filter(user=chair).count() == response_before + 1
    fits(page, "objected", broken)
    shoot(page, f"journey-{size[0]}-4-objected")

    ctx.close()
    assert not errors, errors
    assert not broken, broken
