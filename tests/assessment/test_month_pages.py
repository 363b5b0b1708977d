"""The month view in pages: the estate and staff tables show TABLE_PAGE rows at a time, in rank order, with
a pager and the total, a search by name, and the all-estates totals row on every page."""

import re

import pytest
from django.urls import reverse

from assessment import compute as comp
from assessment import views

from .test_views import FULL as MONTH  # the tab with every figure (the pages, searches and links are the same)
from .test_views import _cell_link, _estates_with_records


@pytest.fixture(autouse=True)
def _clock(monkeypatch, now):
    monkeypatch.setattr(views, "current_time", lambda: now)


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(views, "TABLE_PAGE", 2)


def _estate_ids(html):
    return [int(pk) for pk in re.findall(r'<tr data-estate="(\d+)">', html)]


def _staff_ids(html):
    return [int(pk) for pk in re.findall(r'<tr data-staff="(\d+)">', html)]


def _text(html, element_id):
    return re.sub(r"<[^>]+>", "", re.search(rf'id="{element_id}">(.*?)</span>', html, re.S).group(1))


def _ranked(leader, now):
    from assessment.months import Month

    return comp.month_figures(Month(2026, 10), leader, now)


def test_estate_pages_follow_the_ranking_and_show_the_total(
    client_for, small_pages, october, kinds, leader, director_a, now
):
    _estates_with_records(3, kinds, director_a)
    client = client_for(leader)
    figs = _ranked(leader, now)
    expected = [r.id for r in figs.estates]
    assert len(expected) == 5

    first = client.get(MONTH).content.decode()
    assert _estate_ids(first) == expected[:2]
    assert "共 5 个" in _text(first, "estate-count")  # the total, not the page size
    pager = re.search(r'<nav aria-label="小区表分页" id="estate-pager">(.*?)</nav>', first, re.S).group(1)
    assert 'href="?view=full&amp;page=2#estates"' in pager and 'href="?view=full&amp;page=3#estates"' in pager

    second = client.get(MONTH + "&page=2").content.decode()
    assert _estate_ids(second) == expected[2:4]  # the next estates in rank order
    third = client.get(MONTH + "&page=3").content.decode()
    assert _estate_ids(third) == expected[4:]
    # the rank shown is the rank among all estates
    rank = re.search(rf'<tr data-estate="{expected[2]}"><td>([^<]*)</td>', second).group(1)
    assert rank == str(figs.estates[2].rank or "—")

    # the totals row sums every estate, on every page
    for html in (first, second, third):
        total = re.search(r'<tr class="total">(.*?)</tr>', html, re.S).group(1)
        assert "全部 5 个小区合计" in total
        assert _cell_link(total, "raised")[1] == str(figs.total.figures.get("raised", 0))

    # out-of-range pages show the last page, not an error
    assert _estate_ids(client.get(MONTH + "&page=99").content.decode()) == expected[4:]
    assert _estate_ids(client.get(MONTH + "&page=abc").content.decode()) == expected[:2]


def test_search_finds_an_estate_on_a_later_page_with_its_drill_down(
    client_for, small_pages, october, kinds, leader, director_a, estate_a, now
):
    _estates_with_records(3, kinds, director_a)
    client = client_for(leader)
    figs = _ranked(leader, now)
    last = figs.estates[-1]
    assert last.id not in _estate_ids(client.get(MONTH).content.decode())

    html = client.get(MONTH + "&q=" + last.name).content.decode()
    assert _estate_ids(html) == [last.id]
    assert f"与“{last.name}”匹配" in _text(html, "estate-count")
    row = re.search(rf'<tr data-estate="{last.id}">(.*?)</tr>', html, re.S).group(1)
    url, shown = _cell_link(row, "raised")
    assert f"estate={last.id}" in url
    assert f'<span id="record-count">{shown}</span>' in client.get(url).content.decode()

    # part of a name, any case; the staff table keeps its own page
    html = client.get(MONTH + "&q=翠湖&staff_page=2").content.decode()
    assert _estate_ids(html) == [estate_a.pk]
    assert 'name="staff_page" value="2"' in html  # a new estate search keeps the staff page
    html = client.get(MONTH + "&q=nothing-like-this").content.decode()
    assert _estate_ids(html) == [] and "没有与“nothing-like-this”匹配的小区。" in html


def test_staff_pages_and_search(client_for, small_pages, october, leader, now):
    client = client_for(leader)
    figs = _ranked(leader, now)
    expected = [r.id for r in figs.staff]
    assert len(expected) == 4
    first = client.get(MONTH).content.decode()
    assert _staff_ids(first) == expected[:2]
    assert "共 4 名" in _text(first, "staff-count")
    second = client.get(MONTH + "&staff_page=2&page=1").content.decode()
    assert _staff_ids(second) == expected[2:]
    assert 'href="?view=full&amp;page=1&amp;staff_page=1#staff"' in second  # the estate page is kept
    wanted = figs.staff[3]
    html = client.get(MONTH + "&staff_q=" + wanted.name[1:]).content.decode()
    assert wanted.id in _staff_ids(html)
    row = re.search(rf'<tr data-staff="{wanted.id}">(.*?)</tr>', html, re.S).group(1)
    url, shown = _cell_link(row, "held")
    assert f"staff={wanted.id}" in url
    assert f'<span id="record-count">{shown}</span>' in client.get(url).content.decode()


def test_a_director_searches_only_their_estates(client_for, october, director_a, estate_a, estate_b):
    client = client_for(director_a)
    html = client.get(MONTH).content.decode()
    assert 'id="estate-pager"' not in html  # one page: no pager
    assert _estate_ids(client.get(MONTH + "&q=锦绣").content.decode()) == []
    assert _estate_ids(client.get(MONTH + "&q=翠湖").content.decode()) == [estate_a.pk]
    assert client.get(reverse("assessment:export_xlsx", args=[2026, 10]) + "?q=翠湖").status_code == 200
