"""Two estates compared on the trends page (issue 18, item 5): their scores month by month on one
chart; an estate the user does not see answers 404."""

import json
import re

import pytest
from django.urls import reverse

from assessment import views


@pytest.fixture(autouse=True)
def _clock(monkeypatch, now):
    monkeypatch.setattr(views, "current_time", lambda: now)


def _charts(html):
    return [json.loads(d.replace("&quot;", '"')) for d in re.findall(r'data-chart="([^"]+)"', html)]


def test_two_estates_compared(client_for, october, leader, estate_a, estate_b):
    url = reverse("assessment:trends") + f"?month=2026-10&estate={estate_a.pk}&compare={estate_b.pk}"
    html = client_for(leader).get(url).content.decode()
    charts = _charts(html)
    assert len(charts) == 7
    first = charts[0]
    assert first["title"] == "得分：翠湖花园 与 锦绣苑"
    assert [s["name"] for s in first["series"]] == ["翠湖花园", "锦绣苑"]
    assert first["series"][0]["values"][-1] == 57.1 and first["series"][1]["values"][-1] == 100.0
    assert first["labels"][-1] == "10月"
    assert f'<option value="{estate_b.pk}" selected>锦绣苑</option>' in html


def test_compare_only_with_an_estate_one_sees(client_for, october, director_a, estate_a, estate_b):
    base = reverse("assessment:trends") + "?month=2026-10&compare="
    assert client_for(director_a).get(base + str(estate_b.pk)).status_code == 404
    assert client_for(director_a).get(base + "abc").status_code == 404
    assert client_for(director_a).get(base + str(estate_a.pk)).status_code == 200
