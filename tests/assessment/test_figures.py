"""The figures of October 2026, counted by hand from conftest.october."""

import pytest

from assessment import compute, live, metrics, scoring
from assessment.months import Month

from .factories import sh

OCT = Month(2026, 10)

# estate A in October, by hand:
EXPECTED_A = {
    "held": 4,  # m1 (31 Oct 23:30), m2, m3, m4; not m5 (1 Nov 00:00) nor m6 (cancelled)
    "sent": 4,
    "notice_breach": 1,  # m3
    "special_held": 1,
    "special_unapproved": 1,  # m4
    "minutes_due": 3,  # m2, m3, m4 (m1's minutes fall due on 4 November)
    "minutes_on_time": 2,  # m2, m4 (exactly at the deadline)
    "minutes_late": 1,  # m3
    "raised": 4,  # i1, i2, i3 (31 Oct 23:30), i5; not i6 (1 Nov 00:00)
    "reply_due": 4,  # i1, i2, i4 (due 1 October), i5 (on the spot)
    "reply_on_time": 3,  # i1 replied exactly at the deadline, i4, i5
    "reply_late": 1,  # i2, one minute late
    "callback_due": 3,  # i1, i2, i4
    "callback_on_time": 2,  # i1, i4
    "callback_late": 1,
    "open": 3,  # i2, i3, i7 at midnight 1 November
    "overdue": 2,  # i2 (no callback), i7 (resolution; its next callback too)
    "closed": 3,  # i1, i4, i5
    "callbacks": 3,  # c1, c2 (1 October), c5; not c3 (September)
    "sat_satisfied": 1,
    "sat_basic": 1,
    "sat_unsatisfied": 1,
    "signoff_sent": 2,  # s1, s2 (s3 withdrawn, s4 sent in September)
    "signoff_completed": 1,
    "cadence_due": 3,  # oc_monthly, rc_contact, oc_routine (Sep–Oct)
    "cadence_met": 2,
    "cadence_missed": 1,  # oc_routine: its meeting m5 is on 1 November
    "cadence_at_risk": 0,
}


def test_estate_a_october_matches_the_hand_count(october, estate_a, now):
    data = live.compute(OCT, now, [estate_a.pk])
    fig = data["estates"][estate_a.pk]
    got = {k: fig.get(k, 0) for k in EXPECTED_A}
    assert got == EXPECTED_A
    assert sorted(fig["close_days"]) == [0.0, 4.0, 12.0]
    assert fig["signoff_days"] == [2.0]
    derived = scoring.derive(fig, scoring.DEFAULT_WEIGHTS)
    assert derived["reply_pct"] == 75
    assert derived["callback_pct"] == 67
    assert derived["close_days"] == 4.0
    assert derived["signoff_days"] == 2.0
    # 25·2/3 + 15·3/4 + 10·2/3 + 10·2/3 + 10·3/4 + 10·0 + 10·1/3 + 5·1/2 + 5·(1+0.5+0)/3, over 100
    assert derived["score"] == 57.1


def test_month_boundary_in_shanghai(october, estate_a, now):
    """A meeting at 23:30 on 31 October (15:30 UTC) is October's; one at 00:00 on 1 November is November's."""
    m1, m5 = october["meetings"]["m1"], october["meetings"]["m5"]
    assert m1.starts_at.utctimetuple()[:5] == (2026, 10, 31, 15, 30)
    held_oct = set(metrics.records_for("held", OCT, now, estate_ids=[estate_a.pk]).values_list("pk", flat=True))
    held_nov = set(
        metrics.records_for("held", Month(2026, 11), now, estate_ids=[estate_a.pk]).values_list("pk", flat=True)
    )
    assert m1.pk in held_oct and m1.pk not in held_nov
    assert m5.pk in held_nov and m5.pk not in held_oct
    raised_nov = metrics.records_for("raised", Month(2026, 11), now, estate_ids=[estate_a.pk])
    assert list(raised_nov.values_list("pk", flat=True)) == [october["issues"]["i6"].pk]


def test_reply_exactly_at_the_deadline_is_on_time(october, estate_a, now):
    i1 = october["issues"]["i1"]
    assert i1.replied_at == i1.reply_due_at
    on_time = metrics.records_for("reply_on_time", OCT, now, estate_ids=[estate_a.pk])
    late = metrics.records_for("reply_late", OCT, now, estate_ids=[estate_a.pk])
    assert i1 in on_time and i1 not in late


def test_staff_figures_follow_the_person_responsible(october, estate_a, director_a, supervisor_a, dept_a, now):
    staff = live.compute(OCT, now, [estate_a.pk])["staff"]
    d = staff[(director_a.pk, estate_a.pk)]
    assert d["held"] == 2  # m1, m4 organised by the director
    assert d["raised"] == 1  # i2: nobody named, so the director's
    assert d["signoff_sent"] == 2
    assert (d["cadence_due"], d["cadence_met"]) == (2, 1)  # oc_monthly met, oc_routine missed
    s = staff[(supervisor_a.pk, estate_a.pk)]
    assert (s["held"], s["notice_breach"], s["cadence_due"], s["cadence_met"]) == (2, 1, 1, 1)
    e = staff[(dept_a.pk, estate_a.pk)]
    assert (e["raised"], e["closed"], e["sat_unsatisfied"]) == (3, 3, 1)


@pytest.mark.parametrize("metric", [m.key for m in metrics.METRICS])
def test_every_count_equals_its_drill_down_list(october, estate_a, estate_b, director_a, now, metric):
    ids = [estate_a.pk, estate_b.pk]
    data = live.compute(OCT, now, ids)
    for eid in ids:
        listed = metrics.records_for(metric, OCT, now, estate_ids=[eid]).count()
        assert data["estates"][eid].get(metric, 0) == listed
    directed = compute.director_estate_ids(director_a.pk)
    listed = metrics.records_for(
        metric, OCT, now, estate_ids=ids, user_id=director_a.pk, director_estate_ids=directed
    ).count()
    assert data["staff"].get((director_a.pk, estate_a.pk), {}).get(metric, 0) == listed


def test_running_month_reads_open_and_overdue_now(october, estate_a):
    """While November runs, its figures are read at `now`, not at the month's end."""
    now = sh(2026, 11, 2, 12)
    fig = live.compute(Month(2026, 11), now, [estate_a.pk])["estates"][estate_a.pk]
    assert fig["raised"] == 1  # i6
    assert fig.get("reply_late", 0) == 0  # i3's and i6's replies are not due yet
    assert fig["open"] == 4  # i2, i3, i6, i7


def test_weights_from_settings_change_the_score(october, estate_a, now, settings):
    fig = live.compute(OCT, now, [estate_a.pk])["estates"][estate_a.pk]
    settings.ASSESSMENT_WEIGHTS = {k: 0 for k in scoring.DEFAULT_WEIGHTS} | {"approval": 1}
    assert scoring.score(fig, scoring.weights()) == 0.0  # the one special-topic meeting had no approval
    settings.ASSESSMENT_WEIGHTS = {k: 0 for k in scoring.DEFAULT_WEIGHTS} | {"notice": 1}
    assert scoring.score(fig, scoring.weights()) == 75.0
