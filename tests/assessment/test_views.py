"""The dashboard as managers see it: permissions, drill-down, closing and recomputing, exports, trends."""

import io
import re
import shutil
import subprocess

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import table, views
from assessment.models import AssessmentMonth, ProvisionalSnapshot
from assessment.months import Month
from liaison.models import AuditEntry

from . import factories as f
from .factories import sh

MONTH = reverse("assessment:month", args=[2026, 10])
FULL = MONTH + "?view=full"  # the tab with every figure


@pytest.fixture(autouse=True)
def _clock(monkeypatch, now):
    monkeypatch.setattr(views, "current_time", lambda: now)


def _row(html, estate_id):
    m = re.search(rf'<tr data-estate="{estate_id}">(.*?)</tr>', html, re.S)
    assert m, f"no row for estate {estate_id}"
    return m.group(1)


def _cell_link(row_html, metric):
    m = re.search(rf'href="([^"]*/records/{metric}/[^"]*)">([^<]*)</a>', row_html)
    assert m, f"no {metric} link"
    return m.group(1).replace("&amp;", "&"), m.group(2)


# --- who may see it -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["chair_a", "member_a", "rc_member_a", "supervisor_a", "dept_a"])
def test_committee_members_and_other_staff_get_403(request, client_for, october, persona):
    client = client_for(request.getfixturevalue(persona))
    for url in [
        MONTH,
        reverse("assessment:records", args=[2026, 10, "raised"]),
        reverse("assessment:export_xlsx", args=[2026, 10]),
        reverse("assessment:trends"),
        reverse("assessment:cadence", args=[2026, 10]),
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("assessment:close", args=[2026, 10])).status_code == 403
    assert not AssessmentMonth.objects.exists()
    assert 'id="nav-assessment"' not in client.get("/").content.decode()


def test_anonymous_is_sent_to_login(client):
    response = client.get(MONTH)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("persona", ["leader", "assessor", "admin_user"])
def test_managers_see_every_estate(request, client_for, october, persona, estate_a, estate_b):
    client = client_for(request.getfixturevalue(persona))
    html = client.get(MONTH).content.decode()
    _row(html, estate_a.pk)
    _row(html, estate_b.pk)
    assert 'id="nav-assessment"' in html


def test_director_sees_own_estates_only(client_for, october, director_a, estate_a, estate_b):
    client = client_for(director_a)
    html = client.get(MONTH).content.decode()
    _row(html, estate_a.pk)
    assert f'data-estate="{estate_b.pk}"' not in html and "锦绣苑" not in html
    assert 'id="nav-assessment"' in html
    assert 'id="close-month"' not in html  # directors do not close months
    # another estate's records, by estate or by its director, answer 404 or show nothing of it
    assert (
        client.get(reverse("assessment:records", args=[2026, 10, "raised"]) + f"?estate={estate_b.pk}").status_code
        == 404
    )
    assert client.get(reverse("assessment:trends") + f"?estate={estate_b.pk}").status_code == 404
    rule_b = october["rules"]["b_monthly"]
    assert client.get(reverse("assessment:cadence_meetings", args=[2026, 10, rule_b.pk])).status_code == 404
    listed = client.get(reverse("assessment:records", args=[2026, 10, "raised"])).content.decode()
    assert "翠湖花园" in listed and "锦绣苑" not in listed


def test_director_cannot_close_by_posting(client_for, october, director_a):
    client_for(director_a).post(reverse("assessment:close", args=[2026, 10]))
    assert not AssessmentMonth.objects.exists()


# --- the numbers and their lists ---------------------------------------------------------------------------


def test_every_number_links_to_its_records(client_for, october, leader, estate_a):
    client = client_for(leader)
    row = _row(client.get(FULL).content.decode(), estate_a.pk)
    for metric, expected in [
        ("raised", "4"),
        ("reply_late", "1"),
        ("overdue", "2"),
        ("held", "4"),
        ("notice_breach", "1"),
    ]:
        url, shown = _cell_link(row, metric)
        assert shown == expected, metric
        listed = client.get(url).content.decode()
        assert f'<span id="record-count">{expected}</span>' in listed, metric
    assert re.search(r">75%</a>", row)  # replied on time
    # the staff table links to the same lists filtered by person
    html = client.get(FULL).content.decode()
    staff_rows = re.findall(r'<tr data-staff="(\d+)">(.*?)</tr>', html, re.S)
    assert len(staff_rows) == 4  # director, supervisor, engineer of estate A; director of estate B
    for _uid, row_html in staff_rows:
        url, shown = _cell_link(row_html, "held")
        assert f'<span id="record-count">{shown}</span>' in client.get(url).content.decode()


def test_cadence_drill_down(client_for, october, leader, estate_a):
    client = client_for(leader)
    url = reverse("assessment:cadence", args=[2026, 10]) + f"?estate={estate_a.pk}&status=missed"
    html = client.get(url).content.decode()
    assert '<span id="record-count">1</span>' in html and "规则 oc_routine" in html
    rule = october["rules"]["oc_monthly"]
    html = client.get(reverse("assessment:cadence_meetings", args=[2026, 10, rule.pk])).content.decode()
    assert october["meetings"]["m1"].title in html  # held at 23:30 on 31 October


def test_bad_month_or_metric_is_404(client_for, leader):
    client = client_for(leader)
    assert client.get("/assessment/2026-13/").status_code == 404
    assert client.get(reverse("assessment:records", args=[2026, 10, "nonsense"])).status_code == 404
    assert client.get(reverse("assessment:records", args=[2026, 10, "raised"]) + "?estate=abc").status_code == 404
    assert client.get(reverse("assessment:records", args=[2026, 10, "raised"]) + "?staff=999999").status_code == 404


# --- the query count does not grow with the estates -------------------------------------------------------


def _estates_with_records(n, kinds, director):
    from tests.factories import AssignmentFactory, CommitteeFactory, EstateFactory

    for _ in range(n):
        estate = EstateFactory()
        AssignmentFactory(estate=estate, user=director)
        oc = CommitteeFactory(estate=estate)
        rule = f.rule(estate, "oc_monthly", "oc", [kinds["oc_monthly"]])
        f.rule(estate, "oc_routine", "oc", [kinds["oc_routine"]], period="two_months")
        assert rule
        m = f.meeting(oc, kinds["oc_monthly"], sh(2026, 10, 9, 10), organizer=director, minutes_due_at=sh(2026, 10, 13))
        assert m
        issue = f.issue(
            oc,
            sh(2026, 10, 9, 10),
            reply_due_at=sh(2026, 10, 12),
            replied_at=sh(2026, 10, 11),
            closed_at=sh(2026, 10, 20),
        )
        f.callback(issue, sh(2026, 10, 10), "satisfied")
        f.signoff(oc, sh(2026, 10, 3), status="completed", completed_at=sh(2026, 10, 4), by=director)


def _queries(client, url, *, fresh=False):
    client.get(url)  # warm caches (content types, sessions)
    if fresh:  # no provisional snapshot: the request computes the figures live (and stores them)
        ProvisionalSnapshot.objects.all().delete()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_estates(client_for, kinds, leader, director_a):
    client = client_for(leader)
    _estates_with_records(2, kinds, director_a)
    live_2 = _queries(client, MONTH, fresh=True)
    snap_2 = _queries(client, MONTH)
    _estates_with_records(8, kinds, director_a)
    live_10 = _queries(client, MONTH, fresh=True)
    snap_10 = _queries(client, MONTH)
    assert live_10 == live_2
    # read from the provisional snapshot: a handful of queries, the same for 2 and 10 estates (a manager:
    # its head, every row's score, the figures of the rows shown; a director: its head, their estates' rows;
    # both: last month's closed month or snapshot for the change of the company's score)
    assert snap_10 == snap_2 <= 9 < live_10
    assert _queries(client_for(director_a), MONTH) <= snap_10
    assert _queries(client, MONTH + "?page=2&staff_q=x") == snap_10
    from assessment.actions import close_month

    close_month(Month(2026, 10), actor=leader, now=sh(2026, 11, 10))
    closed_10 = _queries(client, MONTH)  # the frozen rows
    assert closed_10 <= live_10
    assert _queries(client, reverse("assessment:export_xlsx", args=[2026, 10])) <= closed_10
    _estates_with_records(2, kinds, director_a)
    assert _queries(client, MONTH) == closed_10


# --- closing a month ----------------------------------------------------------------------------------------


def test_closed_month_is_unchanged_by_later_edits_until_recomputed(client_for, october, leader, estate_a, oc_a, now):
    client = client_for(leader)
    html = client.post(reverse("assessment:close", args=[2026, 10]), follow=True).content.decode()
    am = AssessmentMonth.objects.get(year=2026, month=10)
    assert am.closed_by == leader
    assert AuditEntry.objects.filter(object_type="assessment.assessmentmonth", action="closed").count() == 1
    assert "Recompute" in html or "重新计算" in html
    assert estate_a.name in html
    before = _row(client.get(FULL).content.decode(), estate_a.pk)

    # later edits: another October issue, and i2's callback recorded after all
    f.issue(oc_a, sh(2026, 10, 30, 9), reply_due_at=sh(2026, 10, 31, 9))
    october["issues"]["i2"].first_callback_at = sh(2026, 10, 27)
    october["issues"]["i2"].save()
    assert _row(client.get(FULL).content.decode(), estate_a.pk) == before

    # a recompute needs a reason
    client.post(reverse("assessment:recompute", args=[2026, 10]), {"reason": "  "})
    assert _row(client.get(FULL).content.decode(), estate_a.pk) == before
    assert not AuditEntry.objects.filter(action="recomputed").exists()

    client.post(reverse("assessment:recompute", args=[2026, 10]), {"reason": "补录回访记录"})
    after = _row(client.get(FULL).content.decode(), estate_a.pk)
    assert after != before
    assert _cell_link(after, "raised")[1] == "5"
    entry = AuditEntry.objects.get(action="recomputed")
    assert entry.actor == leader and entry.changes["reason"] == "补录回访记录"
    assert list(entry.changes["scores"]) == ["翠湖花园"]
    am.refresh_from_db()
    assert am.recomputed_count == 1
    history = client.get(reverse("assessment:history", args=[2026, 10])).content.decode()
    assert "补录回访记录" in history


def test_a_running_month_cannot_be_closed_nor_closed_twice(client_for, october, leader, monkeypatch):
    client = client_for(leader)
    response = client.post(reverse("assessment:close", args=[2026, 11]), follow=True)
    assert not AssessmentMonth.objects.exists()
    assert response.status_code == 200
    client.post(reverse("assessment:close", args=[2026, 10]))
    client.post(reverse("assessment:close", args=[2026, 10]))
    assert AssessmentMonth.objects.count() == 1
    assert AuditEntry.objects.filter(action="closed").count() == 1


def test_close_is_post_only(client_for, leader):
    assert client_for(leader).get(reverse("assessment:close", args=[2026, 10])).status_code == 405


# --- exports and trends -------------------------------------------------------------------------------------


def test_excel_export_has_the_figures_and_respects_scope(client_for, october, director_a, leader):
    from openpyxl import load_workbook

    response = client_for(director_a).get(reverse("assessment:export_xlsx", args=[2026, 10]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.worksheets[0]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4)]
    names = [r[1] for r in rows]
    assert "翠湖花园" in names and "锦绣苑" not in names
    a = rows[names.index("翠湖花园")]
    assert a[2] == 57.1
    keys = [None, None, None] + [c.key for c in table.COLUMNS]
    assert a[keys.index("raised")] == 4 and a[keys.index("reply_pct")] == 0.75  # shown as 75%
    assert len(wb.sheetnames) == 4


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_pdf_export_is_a_chinese_pdf(client_for, october, leader):
    response = client_for(leader).get(reverse("assessment:export_pdf", args=[2026, 10]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True).stdout
    text = text.decode()
    assert "翠湖花园" in text and "锦绣苑" in text


def test_trends_show_twelve_months_with_closed_ones_frozen(client_for, october, leader, estate_a):
    client = client_for(leader)
    client.post(reverse("assessment:close", args=[2026, 10]))
    html = client.get(reverse("assessment:trends") + "?month=2026-10").content.decode()
    assert html.count('<svg class="chart"') == 6
    rows = re.findall(r"<tr><td><a href=\"/assessment/(\d{4}-\d+)/\">", html)
    assert rows[0] == "2025-11" and rows[-1] == "2026-10" and len(rows) == 12
    # the strict CSP: no inline script, no style attributes
    assert not re.search(r"<script(?![^>]*\ssrc=)", html) and " style=" not in html
    html_a = client.get(reverse("assessment:trends") + f"?month=2026-10&estate={estate_a.pk}").content.decode()
    assert "翠湖花园" in html_a


def test_a_closed_month_shows_each_viewer_their_own_estates(kinds, leader, director_a):
    """A closed month's frozen rows are read for the viewer's estates: a director who looked first does
    not see another estate, nor does the leader miss it; a renamed estate shows its new name."""
    from assessment.actions import close_month
    from tests.factories import EstateFactory

    _estates_with_records(2, kinds, director_a)
    other = EstateFactory(name="别的小区")  # not director_a's
    close_month(Month(2026, 10), actor=leader, now=sh(2026, 11, 10))
    director, manager = Client(), Client()  # two sessions side by side
    director.force_login(director_a)
    manager.force_login(leader)
    for _ in range(2):
        assert "别的小区" not in director.get(MONTH).content.decode()
        assert f'data-estate="{other.pk}"' not in director.get(MONTH).content.decode()
        assert "别的小区" in manager.get(MONTH).content.decode()
    other.name = "改名小区"
    other.save()
    assert "改名小区" in manager.get(MONTH).content.decode()


def test_trends_estate_picker_becomes_a_name_search_for_a_large_company(
    monkeypatch, client_for, october, leader, estate_a, estate_b
):
    """Past OPTIONS_LIMIT estates the trends page offers a name search instead of a list of them all."""
    from assessment import views
    from tests.factories import EstateFactory

    monkeypatch.setattr(views, "OPTIONS_LIMIT", 1)
    client = client_for(leader)
    url = reverse("assessment:trends") + "?month=2026-10"
    html = client.get(url).content.decode()
    assert 'name="estate_name"' in html and '<select name="estate"' not in html
    assert estate_b.name not in html  # no estate listed
    # one match: that estate's trends, its name kept in the box
    html = client.get(url + "&estate_name=翠湖").content.decode()
    assert f'value="{estate_a.name}"' in html and f"· {estate_a.name}" in html
    # several: a link to each to pick from
    other = EstateFactory(name="翠湖名苑")
    html = client.get(url + "&estate_name=翠湖").content.decode()
    candidates = html[html.index('id="estate-candidates"') :]
    assert f"estate={estate_a.pk}" in candidates and f"estate={other.pk}" in candidates
    assert f"estate={estate_b.pk}" not in candidates
    # none: said so
    html = client.get(url + "&estate_name=不存在的小区").content.decode()
    assert "没有名称含“不存在的小区”" in html and 'id="estate-candidates"' not in html
