"""The home panel for managers and the Chinese interface."""

from django.test import RequestFactory
from django.urls import reverse

from assessment import home, views
from assessment.actions import close_month
from assessment.months import Month

from .factories import sh


def _panel(user, now):
    request = RequestFactory().get("/")
    request.user = user
    return home.panel(request, now)


def test_home_panel_reminds_managers_until_the_month_is_closed(db, leader, director_a, chair_a, settings, client_for):
    now = sh(2026, 11, 3, 9)
    assert _panel(director_a, now) is None and _panel(chair_a, now) is None
    panel = _panel(leader, now)
    assert panel["month"] == Month(2026, 10) and panel["closed"] is None
    close_month(Month(2026, 10), actor=leader, now=now)
    assert _panel(leader, now)["closed"].closed_by == leader
    settings.HOME_PANELS = [*settings.HOME_PANELS, "assessment.home.panel"]
    html = client_for(leader).get("/").content.decode()
    assert 'id="assessment-panel"' in html


def test_dashboard_speaks_chinese(client_for, october, leader, monkeypatch, now):
    monkeypatch.setattr(views, "current_time", lambda: now)
    html = client_for(leader).get(reverse("assessment:month", args=[2026, 10]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = html.content.decode()
    assert "月度考核" in text and "考核定稿" in text and "结账" not in text and "按时答复" in text and "满意" in text
    assert "数据截至 10:00（每 10 分钟更新一次）" in text and "立即更新" in text
