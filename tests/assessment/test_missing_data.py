"""Saying what is missing (issue 18): an estate without data this month is shown as 无数据 with the
reason and is not ranked; a score says which components it used; page, Excel and PDF agree."""

import io
import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from assessment import scoring, standing, views
from assessment.months import Month

from . import factories as f
from .factories import sh

MONTH = reverse("assessment:month", args=[2026, 10])


@pytest.fixture(autouse=True)
def _clock(monkeypatch, now):
    monkeypatch.setattr(views, "current_time", lambda: now)


@pytest.fixture
def empty_estate(db):
    from tests.factories import EstateFactory

    return EstateFactory(name="空白小区")


@pytest.fixture
def pending_estate(db, kinds):
    """An estate whose only record is an issue raised in October with its reply due in November."""
    from tests.factories import CommitteeFactory, EstateFactory

    estate = EstateFactory(name="待答复小区")
    oc = CommitteeFactory(estate=estate)
    f.issue(oc, sh(2026, 10, 30, 9), reply_due_at=sh(2026, 11, 2, 9), closed_at=sh(2026, 10, 31, 9))
    return estate


def _row(html, estate_id):
    return re.search(rf'<tr data-estate="{estate_id}">(.*?)</tr>', html, re.S).group(1)


def test_basis_names_the_components_used_and_missing(october, estate_b, now):
    from assessment import live

    fig = live.compute(Month(2026, 10), now, [estate_b.pk])["estates"][estate_b.pk]
    used, missing = standing.basis(fig, scoring.weights())
    # B: its monthly meeting (cadence, notice), its reply, its open issue; nothing else fell due
    assert used == ["cadence", "reply", "notice", "overdue"]
    assert missing == ["callback", "minutes", "approval", "signoff", "satisfaction"]
    assert standing.no_data_reason(fig) is not None  # a reason is always at hand ...
    assert standing.basis({}, scoring.weights()) == ([], list(scoring.DEFAULT_WEIGHTS))


def test_no_data_reasons(pending_estate, empty_estate, now):
    from assessment import live

    data = live.compute(Month(2026, 10), now, [pending_estate.pk, empty_estate.pk])["estates"]
    assert scoring.score(data.get(pending_estate.pk, {}), scoring.weights()) is None
    assert "本月有记录" in str(standing.no_data_reason(data.get(pending_estate.pk, {})))
    assert "本月没有到期" in str(standing.no_data_reason(data.get(empty_estate.pk, {})))


def test_an_estate_without_data_is_shown_with_its_reason_and_not_ranked(
    client_for, october, leader, estate_a, estate_b, empty_estate, pending_estate
):
    html = client_for(leader).get(MONTH).content.decode()
    ids = [int(pk) for pk in re.findall(r'<tr data-estate="(\d+)">', html)]
    assert ids[:2] == [estate_b.pk, estate_a.pk] and set(ids[2:]) == {empty_estate.pk, pending_estate.pk}
    empty = _row(html, empty_estate.pk)
    assert empty.startswith('<td><span title="本月无数据，不参与排名">—</span>')
    assert "无数据: 本月没有到期的会议频次周期" in empty
    assert '<td class="score light-none no-data">无数据</td>' in empty
    assert "本月有记录，但没有计分项目到期" in _row(html, pending_estate.pk)
    a = _row(html, estate_a.pk)
    assert a.startswith("<td>2</td>")
    # every component has data at A: 9/9; B's score uses four of nine and says which
    assert '<small class="basis" aria-hidden="true">9/9</small>' in a
    b = _row(html, estate_b.pk)
    assert '<small class="basis" aria-hidden="true">4/9</small>' in b
    assert "得分依据：会议频次达标、按时答复、遵守提前通知规定、未关闭问题未逾期；无数据：按时回访" in b
    # the components B has no data for are marked in their cells
    assert re.search(r'<td class="fig light-none no-data" data-col="callback_pct"><a [^>]+>无数据</a>', b)
    # the full tab says the same
    full = client_for(leader).get(MONTH + "?view=full").content.decode()
    assert "无数据: 本月没有到期的会议频次周期" in _row(full, empty_estate.pk)
    assert "4/9" in _row(full, estate_b.pk)


def test_excel_says_which_components_a_score_used(client_for, october, leader, estate_b, empty_estate):
    from openpyxl import load_workbook

    response = client_for(leader).get(reverse("assessment:export_xlsx", args=[2026, 10]))
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = {r[1]: r for r in ws.iter_rows(min_row=4, values_only=True)}
    assert rows["锦绣苑"][2] == 100.0
    assert rows["锦绣苑"][-1].startswith("得分依据：会议频次达标、按时答复")
    assert rows["空白小区"][0] is None and rows["空白小区"][2] == "无数据"
    assert rows["空白小区"][-1].startswith("无数据: 本月没有到期")


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_pdf_says_what_is_missing(client_for, october, leader, empty_estate):
    response = client_for(leader).get(reverse("assessment:export_pdf", args=[2026, 10]))
    text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True).stdout
    text = re.sub(r"\s+", "", text.decode())
    assert "空白小区：无数据（不参与排名）" in text
    assert "锦绣苑：得分依据：会议频次达标" in text


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_pdf_opens_with_the_summary(client_for, october, leader):
    response = client_for(leader).get(reverse("assessment:export_pdf", args=[2026, 10]))
    raw = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True)
    text = raw.stdout.decode()
    flat = re.sub(r"\s+", "", text)
    assert "公司得分各小区红黄绿灯本月主要问题62.1" in flat  # the three boxes side by side, then the score
    assert "翠湖花园（红灯57.1）" in flat  # the estates needing attention are named
    assert "月末已逾期的问题2" in flat
    # the narrow headers keep their two characters on one line (the issue: 排/名, 得/分)
    assert re.search(r"排名\s+小区\s+得分", text)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_pdf_has_a_page_per_red_or_amber_estate_and_the_trend(client_for, october, leader, estate_a, estate_b):
    response = client_for(leader).get(reverse("assessment:export_pdf", args=[2026, 10]))
    pages = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True)
    pages = [re.sub(r"\s+", "", p) for p in pages.stdout.decode().split("\f")]
    assert "公司得分：近12个月" in pages[0]  # the trend chart under the summary
    red = [p for p in pages[1:] if re.search("翠湖花园.红灯57.1", p)]  # the summary names it too
    assert len(red) == 1  # estate A (red) has its page ...
    assert "月末已逾期的问题2" in red[0] and "规则oc_routine" in red[0] and "✗未达标" in red[0]
    assert not any(re.search("锦绣苑.绿灯", p) for p in pages)  # ... green B has none
