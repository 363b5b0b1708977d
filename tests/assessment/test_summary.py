"""The month at a glance: the company's score and its change, traffic lights, top problems (issue 18).

Hand counts from conftest.october: estate A scores 57.1 (test_figures), estate B 100 (its monthly
meeting held, its one reply on time, its one open issue not overdue, its notice kept), a third estate
has no records at all.
"""

import re

import pytest
from django.urls import reverse

from assessment import live, provisional, scoring, standing, views
from assessment.models import ProvisionalSnapshot
from assessment.months import Month

OCT = Month(2026, 10)
MONTH = reverse("assessment:month", args=[2026, 10])


@pytest.fixture(autouse=True)
def _clock(monkeypatch, now):
    monkeypatch.setattr(views, "current_time", lambda: now)


@pytest.fixture
def empty_estate(db):
    from tests.factories import EstateFactory

    return EstateFactory(name="空白小区")


def _text(html, element_id, end="p|ul|ol"):
    m = re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:{end})>', html, re.S)
    assert m, element_id
    return re.sub(r"<[^>]+>", "", m.group(1))


def test_traffic_lights_by_hand(october, estate_a, estate_b, now):
    data = live.compute(OCT, now, [estate_a.pk, estate_b.pk])
    w = scoring.weights()
    a = scoring.score(data["estates"][estate_a.pk], w)
    b = scoring.score(data["estates"][estate_b.pk], w)
    assert (a, b) == (57.1, 100.0)
    assert standing.light("score", a) == "red"  # below 70
    assert standing.light("score", b) == "green"  # 85 and above
    assert standing.light("score", 70) == "amber" and standing.light("score", 84.9) == "amber"
    assert standing.light("overdue", 0) == "green" and standing.light("overdue", 2) == "amber"
    assert standing.light("overdue", 3) == "red"
    assert standing.light("score", None) is None


def test_thresholds_come_from_settings(settings):
    settings.ASSESSMENT_THRESHOLDS = {"score": (60, 50)}
    assert standing.light("score", 57.1) == "amber"
    assert standing.light("reply_pct", 80) == "amber"  # the others keep their defaults


def test_top_problems_of_estate_a(october, estate_a, now):
    fig = live.compute(OCT, now, [estate_a.pk])["estates"][estate_a.pk]
    got = {p.key: p.count for p in standing.problems(fig)}
    # oc_routine missed; i2 replied a minute late; i2's callback missing; i2 and i7 overdue; m3's
    # minutes missing; m3 told two hours ahead; s2 sent and not signed
    assert got == {
        "cadence_missed": 1,
        "reply_late": 1,
        "callback_late": 1,
        "overdue": 2,
        "minutes_late": 1,
        "notice_breach": 1,
        "unsigned": 1,
    }
    assert standing.problems(fig)[0].key == "overdue"  # the largest first


def test_summary_on_the_month_view(client_for, october, leader, estate_a, estate_b, empty_estate, now):
    client = client_for(leader)
    html = client.get(MONTH).content.decode()
    # September has no stored figures (not closed, no snapshot): nothing to compare with, and the
    # month view does not compute it
    assert "上月无得分可比较" in html
    assert not ProvisionalSnapshot.objects.filter(year=2026, month=9).exists()
    provisional.store(Month(2026, 9), now)
    html = client.get(MONTH).content.decode()
    # A and B together: cadence 3/4, replies 4/5, callbacks 2/3, minutes 2/3, notice 1 - 1/5, approval
    # 0/1, not overdue 1 - 2/4, signed 1/2, satisfaction 1.5/3 -> 62.1; September (estate A only:
    # cadence 0/3, reply 1/1, callback 1/1, not overdue 1/2, signed 0/1, satisfied 1/1) -> 50.0
    assert _text(html, "company-score").strip() == "62.1"
    assert "▲ 12.1" in _text(html, "score-change") and "50.0" in _text(html, "score-change")
    lights = _text(html, "lights")
    assert re.search(r"绿灯\s*1", lights) and re.search(r"黄灯\s*0", lights) and re.search(r"红灯\s*1", lights)
    assert re.search(r"无数据\s*1", lights)
    problems = re.findall(r'<li data-problem="(\w+)"><a href="([^"]+)">', html)
    assert problems[0] == ("overdue", reverse("assessment:records", args=[2026, 10, "overdue"]))
    assert ("cadence_missed", reverse("assessment:cadence", args=[2026, 10]) + "?status=missed") in problems
    assert len(problems) == 7


def test_a_light_filters_the_estate_table(client_for, october, leader, estate_a, estate_b):
    client = client_for(leader)
    html = client.get(MONTH + "?light=red").content.decode()
    assert f'data-estate="{estate_a.pk}"' in html and f'data-estate="{estate_b.pk}"' not in html
    assert "仅显示红灯小区" in html
    html = client.get(MONTH + "?light=purple").content.decode()  # unknown: every estate
    assert f'data-estate="{estate_a.pk}"' in html and f'data-estate="{estate_b.pk}"' in html


def test_a_director_sees_the_summary_of_their_estates_only(client_for, october, director_b, estate_b):
    html = client_for(director_b).get(MONTH).content.decode()
    assert _text(html, "company-score").strip() == "100.0"
    assert "data-problem" not in html
    assert "本月未发现问题" in html


def test_a_finalised_month_is_clearly_marked(client_for, october, leader):
    client = client_for(leader)
    html = client.get(MONTH).content.decode()
    assert _text(html, "final-badge", "span").strip() == "未定稿"
    assert ">考核定稿</button>" in html and "结账" not in html
    html = client.post(reverse("assessment:close", args=[2026, 10]), follow=True).content.decode()
    assert _text(html, "final-badge", "span").strip() == "✓ 已定稿"
    assert "考核已定稿" in html and "结账" not in html
    history = client.get(reverse("assessment:history", args=[2026, 10])).content.decode()
    assert "已定稿" in history and "结账" not in history
