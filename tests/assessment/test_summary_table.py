"""The month view's default table: the score and six figures, each coloured and signed against its
threshold, sortable; every figure one click away on the second tab (issue 18)."""

import re

import pytest
from django.urls import reverse

from assessment import views

MONTH = reverse("assessment:month", args=[2026, 10])


@pytest.fixture(autouse=True)
def _clock(monkeypatch, now):
    monkeypatch.setattr(views, "current_time", lambda: now)


def _cells(html, estate_id):
    row = re.search(rf'<tr data-estate="{estate_id}">(.*?)</tr>', html, re.S).group(1)
    return {
        col: (cls, re.sub(r"<[^>]+>", "", text).strip())
        for cls, col, text in re.findall(r'<td class="fig ([^"]+)" data-col="(\w+)">(.*?)</td>', row, re.S)
    }


def test_estate_a_cells_carry_colour_and_words(client_for, october, leader, estate_a):
    html = client_for(leader).get(MONTH).content.decode()
    cells = _cells(html, estate_a.pk)
    # by hand (test_figures): cadence 2/3, replies 3/4, callbacks 2/3, overdue 2, minutes 2/3,
    # satisfaction (1 + 0.5 + 0) / 3
    assert cells["cadence_pct"] == ("light-red", "67% ✗红灯")
    assert cells["reply_pct"] == ("light-amber", "75% !黄灯")
    assert cells["callback_pct"] == ("light-red", "67% ✗红灯")
    assert cells["overdue"] == ("light-amber", "2 !黄灯")
    assert cells["minutes_pct"] == ("light-red", "67% ✗红灯")
    assert cells["satisfaction_pct"] == ("light-red", "50% ✗红灯")
    assert "raised" not in html.split('id="estate-table"')[1].split("</table>")[0]  # the long set is a click away
    row = re.search(rf'<tr data-estate="{estate_a.pk}">(.*?)</tr>', html, re.S).group(1)
    assert re.search(
        r'<td class="score light-red" title="[^"]+">57.1 <span class="sign" aria-hidden="true">✗</span>', row
    )
    # each figure opens its records
    assert f"/records/reply_due/?estate={estate_a.pk}" in row
    assert f"/cadence/?estate={estate_a.pk}" in row


def test_english_words_for_the_lights(client_for, october, leader, estate_b):
    client = client_for(leader)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(MONTH).content.decode()
    cells = _cells(html, estate_b.pk)
    assert cells["reply_pct"] == ("light-green", "100% ✓Green")
    assert cells["callback_pct"] == ("light-none no-data", "No data")  # no callback fell due at B


def test_sort_by_a_figure_worst_first_and_back(client_for, october, leader, estate_a, estate_b, db):
    from tests.factories import EstateFactory

    empty = EstateFactory(name="空白小区")
    client = client_for(leader)

    def order(query):
        html = client.get(MONTH + query).content.decode()
        return [int(pk) for pk in re.findall(r'<tr data-estate="(\d+)">', html)], html

    ranked, html = order("")
    assert ranked == [estate_b.pk, estate_a.pk, empty.pk]
    # the header sorts worst first: the lowest share of replies on time
    link = re.search(r'<th scope="col" data-col="reply_pct"><a href="([^"]+)"', html).group(1)
    assert link == "?sort=reply_pct#estates"
    got, html = order("?sort=reply_pct")
    assert got == [estate_a.pk, estate_b.pk, empty.pk]  # 75 %, 100 %, then the estate without data
    assert 'data-col="reply_pct" aria-sort="ascending"><a href="?sort=-reply_pct#estates"' in html
    assert order("?sort=-reply_pct")[0] == [estate_b.pk, estate_a.pk, empty.pk]
    assert order("?sort=-overdue")[0] == [estate_a.pk, estate_b.pk, empty.pk]  # 2 overdue, then 0
    assert order("?sort=name")[0] == sorted(
        [estate_a.pk, estate_b.pk, empty.pk],
        key=lambda pk: {estate_a.pk: estate_a.name, estate_b.pk: estate_b.name, empty.pk: empty.name}[pk],
    )
    assert order("?sort=score")[0] == [estate_a.pk, estate_b.pk, empty.pk]
    assert order("?sort=nonsense")[0] == ranked  # an unknown key: the ranking


def test_all_figures_are_one_click_away(client_for, october, leader, estate_a):
    client = client_for(leader)
    html = client.get(MONTH).content.decode()
    tab = re.search(r'href="([^"]+)" id="tab-full"', html).group(1)
    full = client.get(MONTH + tab.replace("&amp;", "&").split("#")[0]).content.decode()
    row = re.search(rf'<tr data-estate="{estate_a.pk}">(.*?)</tr>', full, re.S).group(1)
    assert f"/records/raised/?estate={estate_a.pk}" in row and f"/records/held/?estate={estate_a.pk}" in row
    assert 'aria-current="page" href="?view=full' in full or 'active" aria-current="page"' in full
