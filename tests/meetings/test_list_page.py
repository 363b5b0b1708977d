"""The meeting list (/meetings/): month calendar, the month as a list, coming up and past meetings: what a
director and a committee member see on it."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from liaison.models import Role
from meetings.models import Meeting
from tests.factories import AssignmentFactory, CommitteeFactory, EstateFactory

pytestmark = pytest.mark.django_db


def _row(body, table_id, title):
    table = body.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return next(r for r in table.split("<tr>") if title in r)


def test_director_sees_coming_and_past_meetings_with_estate_committee_kind_and_status(
    make_meeting, director_a, estate_a, oc_a, client_for
):
    now = timezone.now()
    coming = make_meeting(starts_at=now + datetime.timedelta(days=3), now=now, title="下周<例会>", send=True)
    past = make_meeting(
        starts_at=now - datetime.timedelta(days=3), now=now - datetime.timedelta(days=10), title="上周例会"
    )
    body = client_for(director_a).get("/meetings/").content.decode()

    row = _row(body, "upcoming", "下周&lt;例会&gt;")  # the title is escaped
    assert f'href="/meetings/{coming.pk}/"' in row
    assert estate_a.name in row and oc_a.name in row and coming.kind.name in row
    assert "已确认并通知" in row and "status-confirmed bg-primary" in row
    local = timezone.localtime(coming.starts_at)
    assert f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}" in row

    row = _row(body, "past", "上周例会")
    assert f'href="/meetings/{past.pk}/"' in row and "草稿" in row
    assert "下周&lt;例会&gt;" not in body.split('id="past"', 1)[1]


def test_notice_override_badge_shows_its_reason(make_meeting, director_a, client_for):
    now = timezone.now()
    m = make_meeting(starts_at=now + datetime.timedelta(days=2), now=now, title="临时会议")
    Meeting.objects.filter(pk=m.pk).update(notice_override=True, notice_override_reason='业委会"紧急"要求')
    body = client_for(director_a).get("/meetings/").content.decode()
    row = _row(body, "upcoming", "临时会议")
    assert 'title="业委会&quot;紧急&quot;要求">突破提前通知规定</span>' in row


def test_month_calendar_and_small_screen_list_link_each_meeting(make_meeting, director_a, client_for):
    now = timezone.now()
    m = make_meeting(starts_at=now + datetime.timedelta(days=40), now=now, title="远期例会")
    local = timezone.localtime(m.starts_at)
    body = client_for(director_a).get(f"/meetings/?month={local:%Y-%m}").content.decode()
    calendar = body.split('id="month-calendar"', 1)[1].split("</table>", 1)[0]
    assert re.search(
        rf'<a class="meeting-chip status-draft" href="/meetings/{m.pk}/">{local:%H:%M} 远期例会</a>', calendar
    )
    month_list = body.split('id="month-list"', 1)[1].split("</ul>", 1)[0]
    assert f'<a href="/meetings/{m.pk}/">{local.month}月{local.day}日 {local:%H:%M} 远期例会</a>' in month_list


def test_empty_lists_say_so(director_a, client_for, kinds):
    body = client_for(director_a).get("/meetings/?month=2030-01").content.decode()
    assert "本月没有会议。" in body
    assert body.count('<td colspan="6" class="text-muted">无。</td>') == 2  # coming up and past


def test_filters_reject_foreign_or_garbage_ids_with_a_message(
    make_meeting, director_a, director_b, estate_a, estate_b, oc_b, client_for, kinds
):
    """Another estate's id, a word or a bad month is a message on the filter, and the director's own
    meetings still show: never another estate's, never an error page."""
    AssignmentFactory(user=director_a, estate=EstateFactory(name="第二小区"), role=Role.DIRECTOR)  # a choice to make
    now = timezone.now()
    make_meeting(starts_at=now + datetime.timedelta(days=3), now=now, title="本小区例会", send=True)
    make_meeting(
        committee=oc_b,
        actor=director_b,
        starts_at=now + datetime.timedelta(days=3),
        now=now,
        title="别的小区例会",
        send=True,
    )
    c = client_for(director_a)
    for query in (f"estate={estate_b.pk}", "estate=abc", f"committee={oc_b.pk}", "committee=x"):
        r = c.get(f"/meetings/?{query}")
        body = r.content.decode()
        assert r.status_code == 200, query
        assert "本小区例会" in body and "别的小区例会" not in body, query
        assert "选择一个有效的选项" in body, query  # said on the filter, which the phone opens
        assert 'id="meeting-filter"' in body and "collapse d-md-flex show" in body, query
    body = c.get("/meetings/?month=2026-13").content.decode()
    assert "请按 2026-11 的格式输入月份" in body and "本小区例会" in body


def test_committee_member_sees_only_sent_meetings_of_their_committee(make_meeting, chair_a, chair_b, client_for):
    now = timezone.now()
    make_meeting(starts_at=now + datetime.timedelta(days=3), now=now, title="已发送例会", send=True)
    make_meeting(starts_at=now + datetime.timedelta(days=4), now=now, title="未发送例会")
    body = client_for(chair_a).get("/meetings/").content.decode()
    assert "已发送例会" in body and "未发送例会" not in body
    assert "已发送例会" not in client_for(chair_b).get("/meetings/").content.decode()


def test_new_meeting_offered_only_where_they_may_create_one(director_a, estate_a, estate_b, dept_a, client_for, kinds):
    c = client_for(director_a)
    assert 'id="new-meeting"' in c.get("/meetings/").content.decode()
    assert 'id="new-meeting"' in c.get(f"/meetings/?estate={estate_a.pk}").content.decode()
    assert 'id="new-meeting"' not in client_for(dept_a).get("/meetings/").content.decode()


def test_the_list_reads_the_same_number_of_queries_for_more_estates(
    make_meeting, leader, director_a, oc_a, kinds, client_for
):
    now = timezone.now()
    c = client_for(leader)

    def add(n):
        for _ in range(n):
            estate = EstateFactory()
            AssignmentFactory(estate=estate, user=director_a, role=Role.DIRECTOR)
            committee = CommitteeFactory(estate=estate)
            make_meeting(committee=committee, starts_at=now + datetime.timedelta(days=2), now=now, send=True)
            make_meeting(
                committee=committee, starts_at=now - datetime.timedelta(days=2), now=now - datetime.timedelta(days=9)
            )

    def count():
        c.get("/meetings/")
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/meetings/").status_code == 200
        return len(ctx.captured_queries)

    add(2)
    small = count()
    add(6)
    assert count() == small
