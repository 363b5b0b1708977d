"""The meeting list (/meetings/): month calendar, the month as a list, coming up and past meetings.

Its rows are built in Python (meetings_tags) rather than by a template include per row: these tests
hold what a director sees on it."""

import datetime
import re

import pytest
from django.test import override_settings
from django.urls import reverse, set_script_prefix
from django.utils import timezone

from liaison.links import object_url
from meetings.models import Meeting

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
    assert f'<a href="/meetings/{m.pk}/">{local:%m-%d %H:%M} 远期例会</a>' in month_list


def test_empty_lists_say_so(director_a, client_for, kinds):
    body = client_for(director_a).get("/meetings/?month=2030-01").content.decode()
    assert "本月没有会议。" in body
    assert body.count('<td colspan="6" class="text-muted">无。</td>') == 2  # coming up and past


def test_filters_reject_foreign_or_garbage_ids(director_a, estate_b, client_for, kinds):
    c = client_for(director_a)
    assert c.get(f"/meetings/?estate={estate_b.pk}").status_code == 404
    assert c.get("/meetings/?estate=abc").status_code == 404
    assert c.get("/meetings/?committee=x").status_code == 404


def test_committee_member_sees_only_sent_meetings_of_their_committee(make_meeting, chair_a, chair_b, client_for):
    now = timezone.now()
    make_meeting(starts_at=now + datetime.timedelta(days=3), now=now, title="已发送例会", send=True)
    make_meeting(starts_at=now + datetime.timedelta(days=4), now=now, title="未发送例会")
    body = client_for(chair_a).get("/meetings/").content.decode()
    assert "已发送例会" in body and "未发送例会" not in body
    assert "已发送例会" not in client_for(chair_b).get("/meetings/").content.decode()


@pytest.mark.parametrize(
    "name", ["meetings:detail", "estate_detail", "committee_detail", "records:signoff_detail", "records:plan_detail"]
)
def test_object_url_is_what_reverse_gives(name):
    assert object_url(name, 7) == reverse(name, args=[7])
    assert object_url(name, 918273645123) == reverse(name, args=[918273645123])


def test_object_url_follows_the_script_prefix():
    set_script_prefix("/portal/")
    try:
        assert object_url("meetings:detail", 5) == "/portal/meetings/5/" == reverse("meetings:detail", args=[5])
    finally:
        set_script_prefix("/")
    assert object_url("meetings:detail", 5) == "/meetings/5/"


@override_settings(ROOT_URLCONF="liaison.urls")
def test_object_url_under_another_urlconf_setting():
    assert object_url("estate_detail", 3) == "/estates/3/"
