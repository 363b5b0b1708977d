"""The leader's home: each estate's traffic light and top problem of last month, those needing
attention first, in place of the committee names (issue 18). Hand counts: conftest.october."""

import re

import pytest
from django.urls import reverse

from liaison import views as liaison_views


@pytest.fixture(autouse=True)
def _clock(monkeypatch, now):
    monkeypatch.setattr(liaison_views.timezone, "now", lambda: now)


def _cards(html):
    block = html.split('id="estate-cards"')[1]
    return re.findall(r'data-estate="(\d+)"><div class="card-body">(.*?)</div></div></div>', block, re.S)


def test_leader_home_shows_lights_and_top_problems(client_for, october, leader, estate_a, estate_b, oc_a, db):
    from tests.factories import EstateFactory

    empty = EstateFactory(name="空白小区")
    html = client_for(leader).get("/").content.decode()
    cards = _cards(html)
    assert [int(pk) for pk, _body in cards] == [estate_a.pk, estate_b.pk, empty.pk]  # red, green, no data
    a, b, e = (re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)) for _pk, body in cards)
    assert "✗ 红灯 · 57.1" in a and "主要问题: 月末已逾期的问题 2" in a
    assert reverse("assessment:records", args=[2026, 10, "overdue"]) + f"?estate={estate_a.pk}" in cards[0][1]
    assert "✓ 绿灯 · 100.0" in b and "本月未发现问题" in b
    assert "无数据" in e and "本月没有到期的会议频次周期" in e
    assert oc_a.name not in html.split('id="estate-cards"')[1]  # no committee names on the cards


def test_a_director_keeps_the_committee_cards(client_for, october, director_a, estate_a, oc_a):
    html = client_for(director_a).get("/").content.decode()
    assert f'<a href="/committees/{oc_a.pk}/">{oc_a.name}</a>' in html.split('id="estate-cards"')[1]
    assert "card-light" not in html
