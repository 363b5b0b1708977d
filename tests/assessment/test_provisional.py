"""The provisional snapshot of a month that is not closed: read by the month view, refreshed by the job
and by a manager's button, equal to the live computation right after a refresh, scoped per director."""

import datetime
import re
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from assessment import compute as comp
from assessment import live, provisional, scoring, views
from assessment.actions import close_month
from assessment.models import AssessmentMonth, ProvisionalSnapshot
from assessment.months import Month
from liaison import access
from liaison.models import AuditEntry

from . import factories as f
from .factories import sh

OCT = Month(2026, 10)
MONTH = reverse("assessment:month", args=[2026, 10]) + "?view=full"  # the tab with every figure
REFRESH = reverse("assessment:refresh", args=[2026, 10])


@pytest.fixture(autouse=True)
def _clock(monkeypatch, now):
    monkeypatch.setattr(views, "current_time", lambda: now)


def _raised(html, estate_id):
    row = re.search(rf'<tr data-estate="{estate_id}">(.*?)</tr>', html, re.S).group(1)
    return re.search(r'/records/raised/[^"]*">([^<]*)</a>', row).group(1)


def _late_issue(oc_a):
    """An October issue entered after the figures were computed."""
    return f.issue(oc_a, sh(2026, 10, 30, 9), reply_due_at=sh(2026, 10, 31, 9))


def test_month_view_reads_the_snapshot_until_a_manager_refreshes(client_for, october, leader, estate_a, oc_a, now):
    client = client_for(leader)
    html = client.get(MONTH).content.decode()
    assert ProvisionalSnapshot.objects.filter(year=2026, month=10).count() == 1  # stored by the first view
    assert _raised(html, estate_a.pk) == "4"
    assert "10:00" in re.search(r'<span id="as-of">(.*?)</span>', html, re.S).group(1)
    assert 'id="refresh-now"' in html

    _late_issue(oc_a)
    assert _raised(client.get(MONTH).content.decode(), estate_a.pk) == "4"  # still the snapshot
    # the drill-down list is live, and says so
    listed = client.get(reverse("assessment:records", args=[2026, 10, "raised"]) + f"?estate={estate_a.pk}")
    assert '<span id="record-count">5</span>' in listed.content.decode()
    assert 'id="live-note"' in listed.content.decode()

    assert client.post(REFRESH).status_code == 302
    assert _raised(client.get(MONTH).content.decode(), estate_a.pk) == "5"
    entry = AuditEntry.objects.get(action="refreshed")
    assert entry.actor == leader and entry.changes["month"] == "2026-10"


@pytest.mark.parametrize("persona", ["director_a", "chair_a"])
def test_refresh_is_refused_to_directors_and_committee_members(request, client_for, october, persona, oc_a):
    client = client_for(request.getfixturevalue(persona))
    provisional.store(OCT, sh(2026, 11, 10, 10))
    before = ProvisionalSnapshot.objects.get().computed_at
    assert client.post(REFRESH).status_code == 403
    assert ProvisionalSnapshot.objects.get().computed_at == before
    assert not AuditEntry.objects.filter(action="refreshed").exists()
    if persona == "director_a":
        assert 'id="refresh-now"' not in client.get(MONTH).content.decode()


def test_refresh_is_post_only_and_not_for_closed_or_future_months(client_for, october, leader, now):
    client = client_for(leader)
    assert client.get(REFRESH).status_code == 405
    close_month(OCT, actor=leader, now=now)
    html = client.post(REFRESH, follow=True).content.decode()
    assert "2026-10" in html and not ProvisionalSnapshot.objects.exists()
    client.post(reverse("assessment:refresh", args=[2027, 1]), follow=True)
    assert not ProvisionalSnapshot.objects.exists()
    assert not AuditEntry.objects.filter(action="refreshed").exists()


def test_the_job_refreshes_current_and_previous_month_and_is_safe_twice(october, estate_a, oc_a, leader, now):
    assert provisional.refresh_open_months(now) == {"2026-10": "stored", "2026-11": "stored"}
    assert provisional.refresh_open_months(now) == {"2026-10": "stored", "2026-11": "stored"}  # twice: same rows
    assert ProvisionalSnapshot.objects.count() == 2
    _late_issue(oc_a)
    later = now + datetime.timedelta(minutes=10)
    call_command("assessment_refresh", "--now", later.isoformat(), stdout=open("/dev/null", "w"))
    snap = ProvisionalSnapshot.objects.get(year=2026, month=10)
    assert snap.computed_at == later
    assert snap.rows.get(estate=estate_a, user=None).figures["raised"] == 5
    # a job that started earlier does not overwrite newer figures
    assert provisional.store(OCT, now) is None
    assert ProvisionalSnapshot.objects.get(year=2026, month=10).computed_at == later
    # closing October replaces its provisional figures; the job then leaves it alone
    close_month(OCT, actor=leader, now=later)
    assert not ProvisionalSnapshot.objects.filter(year=2026, month=10).exists()
    assert provisional.refresh_open_months(later) == {"2026-11": "stored"}
    # an older month someone looked at keeps being refreshed
    provisional.store(Month(2026, 8), later)
    assert "2026-08" in provisional.refresh_open_months(later)


def test_a_stale_snapshot_is_recomputed_when_the_job_has_not_run(client_for, october, leader, estate_a, oc_a, now):
    provisional.store(OCT, now - datetime.timedelta(hours=1))
    _late_issue(oc_a)
    assert _raised(client_for(leader).get(MONTH).content.decode(), estate_a.pk) == "5"
    assert ProvisionalSnapshot.objects.get().computed_at == now


def _live(month, user, now):
    """The month's figures as the view computed them before the provisional snapshot: live, for the
    user's estates only, ranked among them."""
    estate_list = list(access.visible_estates(user).order_by("name").values_list("pk", "name"))
    ids = [pk for pk, _n in estate_list]
    data = live.compute(month, now, ids)
    w = scoring.weights()
    estates = comp._rank(
        [
            comp.Row("estate", eid, n, data["estates"][eid], scoring.derive(data["estates"][eid], w))
            for eid, n in estate_list
        ]
    )
    per_user = {}
    for (uid, _eid), fig in data["staff"].items():
        comp.metrics.add_into(per_user.setdefault(uid, {}), fig)
    staff = comp._rank([comp.Row("staff", uid, str(uid), fig, scoring.derive(fig, w)) for uid, fig in per_user.items()])
    return estates, staff


def _view(rows):
    """{id: (rank, score, figures)}; the durations behind a median are compared as a multiset."""
    return {
        r.id: (r.rank, r.derived["score"], {k: sorted(v) if isinstance(v, list) else v for k, v in r.figures.items()})
        for r in rows
    }


@pytest.mark.parametrize("persona", ["leader", "director_a"])
def test_figures_equal_the_live_computation_right_after_refresh(request, october, persona, oc_a, director_b, now):
    user = request.getfixturevalue(persona)
    provisional.store(OCT, now)  # stale now
    _late_issue(oc_a)
    provisional.store(OCT, now)  # refreshed: every estate
    estates, staff = _live(OCT, user, now)
    # read whole (exports), and as the month view reads it: ranked from the stored scores when the user
    # sees every estate, the figures of the rows shown read afterwards
    lazy = comp.month_figures(OCT, user, now, lazy=True, cadence=False)
    assert (lazy.snapshot is not None) == (persona == "leader")
    comp.load_figures(lazy, lazy.estates + lazy.staff)
    for figs in (comp.month_figures(OCT, user, now), lazy):
        assert _view(figs.estates) == _view(estates)
        assert {r.id: r.rank for r in figs.estates} == {r.id: r.rank for r in estates}
        assert _view(figs.staff) == _view(staff)
        total = {}
        for r in estates:
            comp.metrics.add_into(total, r.figures)
        # the total row: every count, and the medians (the stored total keeps a list's median only)
        assert figs.total.derived == scoring.derive(total, scoring.weights())
        assert {k: v for k, v in figs.total.figures.items() if not isinstance(v, list)} == {
            k: v for k, v in total.items() if not isinstance(v, list)
        }
    if persona == "director_a":  # the snapshot holds estate B too, but the director sees only estate A
        assert len(lazy.estates) == 1 and director_b.pk not in {r.id for r in lazy.staff}
        assert ProvisionalSnapshot.objects.get().rows.filter(user=None).count() == 2


def test_stored_scores_are_not_used_once_the_weights_change(october, leader, estate_a, now, settings):
    provisional.store(OCT, now)
    assert comp.month_figures(OCT, leader, now, lazy=True).snapshot is not None
    settings.ASSESSMENT_WEIGHTS = {"reply": 90}
    figs = comp.month_figures(OCT, leader, now, lazy=True)
    assert figs.snapshot is None  # ranked from the figures with the new weights
    row = next(r for r in figs.estates if r.id == estate_a.pk)
    assert row.derived["score"] == scoring.score(row.figures, scoring.weights())


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_leave_one_snapshot(october, now):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writes need PostgreSQL (DATABASE_URL)")
    errors = []

    def run(offset):
        try:
            provisional.store(OCT, now + datetime.timedelta(seconds=offset))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert ProvisionalSnapshot.objects.count() == 1
    snap = ProvisionalSnapshot.objects.get()
    assert snap.computed_at == now + datetime.timedelta(seconds=3)
    # one set of rows: each estate once, as one writer left them
    estate_rows = list(snap.rows.filter(user=None).values_list("estate_id", flat=True))
    assert sorted(estate_rows) == sorted(set(estate_rows)) and len(estate_rows) == 2
    assert not AssessmentMonth.objects.exists()


def test_the_beat_task_is_scheduled_and_calls_the_job(october):
    from django.conf import settings

    from assessment import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["assessment-refresh-provisional"]
    assert entry["task"] == "assessment.tasks.refresh_provisional" and entry["schedule"] == 600.0
    current = Month.containing(timezone.now())
    result = tasks.refresh_provisional.apply().get()
    assert result == {str(current): "stored", str(current.add(-1)): "stored"}
    assert ProvisionalSnapshot.objects.count() == 2


@pytest.mark.parametrize("persona", ["leader", "director_a"])
def test_trends_read_the_snapshot_of_a_month_not_closed(request, client_for, october, persona, estate_a, oc_a, now):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    url = reverse("assessment:trends") + "?month=2026-10"

    def october_row(query=""):
        html = client.get(url + query).content.decode()
        row = re.search(r'<tr><td><a href="/assessment/2026-10/">.*?</tr>', html, re.S).group(0)
        return re.findall(r"<td>([^<]*)</td>", row)  # score, cadence, replied, callbacks, raised, closed, overdue

    figs = comp.month_figures(OCT, user, now)
    cells = october_row()
    assert ProvisionalSnapshot.objects.filter(year=2026, month=10).exists()  # stored as by the month view
    assert cells[4:7] == [str(figs.total.figures.get(k, 0)) for k in ("raised", "closed", "overdue")]
    _late_issue(oc_a)
    assert october_row()[4] == cells[4]  # the snapshot, like the month view, until refreshed
    provisional.store(OCT, now)
    assert int(october_row()[4]) == int(cells[4]) + 1
    # one estate: its row of the snapshot
    raised_a = comp.month_figures(OCT, user, now).estates
    raised_a = next(r for r in raised_a if r.id == estate_a.pk).figures["raised"]
    assert october_row(f"&estate={estate_a.pk}")[4] == str(raised_a)
