"""October 2026 at two estates, counted by hand (see the figures in test_figures.py).

`now` is 2026-11-10 10:00 in Shanghai: October has ended. Times are Asia/Shanghai.
"""

import pytest

from meetings.cadence_defaults import ensure_default_kinds

from . import factories as f
from .factories import sh


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PDF_RENDER_ISOLATION = "inline"


@pytest.fixture
def now():
    return sh(2026, 11, 10, 10, 0)


@pytest.fixture
def kinds(db):
    return ensure_default_kinds()


@pytest.fixture
def october(kinds, estate_a, estate_b, oc_a, rc_a, oc_b, director_a, supervisor_a, dept_a, director_b):
    k = kinds
    rules = {
        "oc_monthly": f.rule(estate_a, "oc_monthly", "oc", [k["oc_monthly"]]),
        "rc_contact": f.rule(estate_a, "rc_contact", "rc", [k["rc_contact"]], min_count=2, responsible="supervisor"),
        "oc_routine": f.rule(estate_a, "oc_routine", "oc", [k["oc_routine"]], period="two_months"),
        "b_monthly": f.rule(estate_b, "oc_monthly", "oc", [k["oc_monthly"]]),
    }
    m = {
        # the month boundary: 23:30 on 31 October in Shanghai is 15:30 UTC, and counts for October
        "m1": f.meeting(
            oc_a, k["oc_monthly"], sh(2026, 10, 31, 23, 30), organizer=director_a, minutes_due_at=sh(2026, 11, 4)
        ),
        "m2": f.meeting(
            rc_a,
            k["rc_contact"],
            sh(2026, 10, 10, 10),
            organizer=supervisor_a,
            minutes_due_at=sh(2026, 10, 14),
            minutes_at=sh(2026, 10, 12, 9),
        ),
        "m3": f.meeting(
            rc_a,
            k["rc_contact"],
            sh(2026, 10, 20, 10),
            organizer=supervisor_a,
            minutes_due_at=sh(2026, 10, 24),
            sent_at=sh(2026, 10, 20, 8),
            notice_kept=False,  # told two hours before (the rule: 24)
            notice_override=True,
            notice_override_reason="紧急情况",
        ),
        # special-topic meeting held without approval; minutes distributed exactly at the deadline
        "m4": f.meeting(
            oc_a,
            k["special_topic"],
            sh(2026, 10, 15, 14),
            organizer=director_a,
            minutes_due_at=sh(2026, 10, 19),
            minutes_at=sh(2026, 10, 19),
        ),
        # midnight starting 1 November in Shanghai (16:00 UTC on 31 October): November
        "m5": f.meeting(oc_a, k["oc_routine"], sh(2026, 11, 1, 0, 0), organizer=director_a),
        "m6": f.meeting(
            oc_a, k["oc_monthly"], sh(2026, 10, 5, 10), held=False, status="cancelled", organizer=director_a
        ),
        "m7": f.meeting(oc_b, k["oc_monthly"], sh(2026, 10, 12, 10), organizer=director_b),
    }
    i = {
        # replied exactly at its deadline: on time
        "i1": f.issue(
            oc_a,
            sh(2026, 10, 8, 10),
            assignee=dept_a,
            reply_due_at=sh(2026, 10, 11, 10),
            replied_at=sh(2026, 10, 11, 10),
            first_callback_due_at=sh(2026, 10, 11, 10),
            first_callback_at=sh(2026, 10, 10, 10),
            closed_at=sh(2026, 10, 20, 10),
        ),
        # nobody named: counts for the estate's director
        "i2": f.issue(
            oc_a,
            sh(2026, 10, 25, 10),
            reply_due_at=sh(2026, 10, 28, 10),
            replied_at=sh(2026, 10, 28, 10, 1),
            first_callback_due_at=sh(2026, 10, 28, 10),
            callback_due_at=sh(2026, 10, 28, 10),  # no callback yet: the next one is the first
        ),
        "i3": f.issue(
            oc_a,
            sh(2026, 10, 31, 23, 30),
            assignee=dept_a,
            reply_due_at=sh(2026, 11, 3, 23, 30),
            first_callback_due_at=sh(2026, 11, 3, 23, 30),
            callback_due_at=sh(2026, 11, 3, 23, 30),
        ),
        "i4": f.issue(
            oc_a,
            sh(2026, 9, 28, 10),
            assignee=dept_a,
            reply_due_at=sh(2026, 10, 1, 10),
            replied_at=sh(2026, 9, 29),
            first_callback_due_at=sh(2026, 10, 1, 10),
            first_callback_at=sh(2026, 10, 1, 9),
            closed_at=sh(2026, 10, 2, 10),
        ),
        # answered on the spot (§4.1.4.4)
        "i5": f.issue(
            oc_a,
            sh(2026, 10, 5, 10),
            assignee=dept_a,
            replied_at=sh(2026, 10, 5, 10),
            closed_at=sh(2026, 10, 5, 10),
            close_reason="on_the_spot",
        ),
        "i6": f.issue(oc_a, sh(2026, 11, 1, 0, 0), assignee=dept_a, reply_due_at=sh(2026, 11, 4)),
        "i7": f.issue(
            oc_a,
            sh(2026, 9, 1, 10),
            assignee=dept_a,
            reply_due_at=sh(2026, 9, 4, 10),
            replied_at=sh(2026, 9, 2),
            first_callback_due_at=sh(2026, 9, 4, 10),
            first_callback_at=sh(2026, 9, 3),
            callback_due_at=sh(2026, 10, 18, 10),  # three days after the callback of 15 October
            resolve_due_at=sh(2026, 9, 30),
        ),
        "ib": f.issue(oc_b, sh(2026, 10, 9, 10), reply_due_at=sh(2026, 10, 12, 10), replied_at=sh(2026, 10, 11)),
    }
    c = {
        "c1": f.callback(i["i1"], sh(2026, 10, 10, 10), "satisfied"),
        "c2": f.callback(i["i4"], sh(2026, 10, 1, 9), "basic"),
        "c3": f.callback(i["i7"], sh(2026, 9, 3), "satisfied"),
        "c5": f.callback(i["i7"], sh(2026, 10, 15), "unsatisfied"),
    }
    s = {
        "s1": f.signoff(oc_a, sh(2026, 10, 3, 10), status="completed", completed_at=sh(2026, 10, 5, 10), by=director_a),
        "s2": f.signoff(oc_a, sh(2026, 10, 20, 10), by=director_a),
        "s3": f.signoff(oc_a, sh(2026, 10, 10, 10), status="cancelled", by=director_a),
        "s4": f.signoff(oc_a, sh(2026, 9, 28, 10), status="completed", completed_at=sh(2026, 10, 2), by=director_a),
    }
    return {"rules": rules, "meetings": m, "issues": i, "callbacks": c, "signoffs": s}
