"""The minutes page is one form: the minutes, each item's discussion, new resolutions and issues raised
are saved together; a refused row saves nothing and shows every word typed again, with the error next
to its field."""

import datetime

import pytest
from django.urls import reverse

from followups.models import Issue
from meetings import actions
from meetings.models import AgendaItem, Minutes, Resolution

from .conftest import sh

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(make_meeting, director_a, now):
    m = make_meeting(starts_at=sh(2026, 3, 12, 15), now=now, send=True, title="三月例会")
    AgendaItem.objects.create(meeting=m, title="车库照明")
    actions.add_walk_in(m, actor=director_a, name="业主王五", unit="3栋101", phone="", now=sh(2026, 3, 12, 14, 55))
    m.refresh_from_db()
    return m


def _page(meeting, **rows):
    item = meeting.agenda_items.get()
    data = {
        "version": "0",
        "host_name": "王主任",
        "recorder_name": "李秘书",
        "summary": "其他：春节前完成绿化补种",
        f"discussion_{item.pk}": "业委会同意更换车库灯具",
        "resolution-TOTAL_FORMS": "1",
        "resolution-INITIAL_FORMS": "0",
        "resolution-0-text": "更换地库灯具",
        "resolution-0-owner_name": "工程部张工",
        "resolution-0-action": "两周内完成采购和安装",
        "resolution-0-due_date": "2026-03-31",
        "issue-TOTAL_FORMS": "1",
        "issue-INITIAL_FORMS": "0",
        "issue-0-raised_by": "业主王五",
        "issue-0-description": "3栋门禁经常失灵",
    }
    data.update(rows)
    return data


def test_everything_typed_is_saved_at_once(client_for, director_a, held):
    client = client_for(director_a)
    r = client.post(reverse("meetings:minutes", args=[held.pk]), _page(held))
    assert r.status_code == 302
    minutes = Minutes.objects.get(meeting=held)
    assert minutes.summary == "其他：春节前完成绿化补种" and minutes.recorder_name == "李秘书"
    assert held.agenda_items.get().discussion == "业委会同意更换车库灯具"
    r = Resolution.objects.get(meeting=held)
    assert (r.text, r.owner_name, r.due_date) == ("更换地库灯具", "工程部张工", datetime.date(2026, 3, 31))
    issue = Issue.objects.get(meeting=held)
    assert issue.description == "3栋门禁经常失灵" and issue.raised_by == "业主王五"
    # the page shows what was saved, with an empty row for the next resolution and issue
    html = client.get(reverse("meetings:minutes", args=[held.pk])).content.decode()
    assert "更换地库灯具" in html and "3栋门禁经常失灵" in html
    assert 'name="resolution-0-text"' in html and 'name="issue-0-description"' in html


def test_a_resolution_without_owner_saves_nothing_and_keeps_every_word(client_for, director_a, held):
    client = client_for(director_a)
    data = _page(held, **{"resolution-0-owner_name": "", "resolution-TOTAL_FORMS": "2"})
    data.update({"resolution-1-text": "增设快递柜", "resolution-1-action": "", "resolution-1-owner_name": "客服部"})
    r = client.post(reverse("meetings:minutes", args=[held.pk]), data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 400
    html = r.content.decode()
    for typed in (
        "其他：春节前完成绿化补种",
        "业委会同意更换车库灯具",
        "更换地库灯具",
        "两周内完成采购和安装",
        "增设快递柜",
        "客服部",
        "3栋门禁经常失灵",
        "业主王五",
        "2026-03-31",
    ):
        assert typed in html, typed
    # each error next to its row's field, and nothing half-saved
    owner_0, action_0 = html.index('name="resolution-0-owner_name"'), html.index('name="resolution-0-action"')
    assert owner_0 < html.index("每项决议都须指定责任人") < action_0
    action_1, due_1 = html.index('name="resolution-1-action"'), html.index('name="resolution-1-due_date"')
    assert action_1 < html.index("每项决议都须有行动措施", action_1) < due_1
    assert 'id="minutes-errors"' in html
    assert not Minutes.objects.filter(meeting=held).exists()
    assert not Resolution.objects.exists() and not Issue.objects.exists()
    assert held.agenda_items.get().discussion == ""


def test_empty_rows_add_nothing(client_for, director_a, held):
    client = client_for(director_a)
    blank = {k: "" for k in _page(held) if k.startswith(("resolution-0-", "issue-0-"))}
    r = client.post(reverse("meetings:minutes", args=[held.pk]), _page(held, **blank))
    assert r.status_code == 302
    assert Minutes.objects.filter(meeting=held).exists()
    assert not Resolution.objects.exists() and not Issue.objects.exists()


def test_someone_elses_estate_cannot_post_the_page(client_for, director_b, held):
    r = client_for(director_b).post(reverse("meetings:minutes", args=[held.pk]), _page(held))
    assert r.status_code in (403, 404)
    assert not Minutes.objects.exists() and not Issue.objects.exists()
