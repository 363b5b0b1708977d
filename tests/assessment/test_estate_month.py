"""One estate's month (issue 18, item 4): for managers and the estate's director, 404 for other
estates, 403 for those who do not read the assessment. Hand counts: conftest.october."""

import re

import pytest
from django.urls import reverse

from assessment import views


@pytest.fixture(autouse=True)
def _clock(monkeypatch, now):
    monkeypatch.setattr(views, "current_time", lambda: now)


def _url(estate):
    return reverse("assessment:estate_month", args=[2026, 10, estate.pk])


def test_estate_a_october(client_for, october, leader, estate_a, director_a, supervisor_a):
    html = client_for(leader).get(_url(estate_a)).content.decode()
    assert re.search(
        r'id="estate-score">57.1 <span class="fs-4" aria-hidden="true">✗</span> <span class="fs-6">红灯', html
    )
    assert "得分依据：会议频次达标" in html
    problems = re.findall(r'<li data-problem="(\w+)"><a href="([^"]+)">', html)
    assert problems[0] == (
        "overdue",
        reverse("assessment:records", args=[2026, 10, "overdue"]) + f"?estate={estate_a.pk}",
    )
    # cadence per rule: oc_monthly and rc_contact met, oc_routine missed (its meeting is on 1 November)
    cadence = html.split('id="cadence-table"')[1].split("</table>")[0]
    assert cadence.count("✓ 已达标") == 2 and cadence.count("✗ 未达标") == 1
    # every figure of the estate, linked to its records
    assert f'/records/raised/?estate={estate_a.pk}">4</a>' in html
    assert f'/records/held/?estate={estate_a.pk}">4</a>' in html
    # its staff: the director, the supervisor and the engineer of estate A only
    staff = html.split('id="staff-table"')[1]
    assert {int(pk) for pk in re.findall(r'<tr data-staff="(\d+)">', staff)} >= {director_a.pk, supervisor_a.pk}
    assert 'id="estate-trend"' in html and "<svg" in html
    # the month view links each estate to its page
    month = client_for(leader).get(reverse("assessment:month", args=[2026, 10])).content.decode()
    assert f'href="{_url(estate_a)}"' in month


def test_who_may_read_an_estates_month(
    client_for, october, estate_a, estate_b, director_a, director_b, chair_a, supervisor_a
):
    assert client_for(director_a).get(_url(estate_a)).status_code == 200
    assert client_for(director_b).get(_url(estate_a)).status_code == 404  # another director's estate
    assert client_for(chair_a).get(_url(estate_a)).status_code == 403
    assert client_for(supervisor_a).get(_url(estate_a)).status_code == 403
    assert client_for(director_a).get(reverse("assessment:estate_month", args=[2026, 10, 999999])).status_code == 404
    assert client_for(director_a).get(f"/assessment/2026-13/estates/{estate_a.pk}/").status_code == 404


def test_an_estate_without_data_says_why(client_for, october, leader, db):
    from tests.factories import EstateFactory

    empty = EstateFactory(name="空白小区")
    html = client_for(leader).get(_url(empty)).content.decode()
    assert "本月无数据，不参与排名" in html and "本月没有到期的会议频次周期" in html
    assert "会议频次不计分" in html
