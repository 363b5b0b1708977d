"""The cadence job: met / at risk / missed, each notice once, catching up after downtime."""

import datetime
import threading

import pytest
from django.db import connection

from liaison.models import Committee, Notification
from meetings import actions
from meetings.cadence import due_next_by_estate, scan_cadence
from meetings.cadence_defaults import install_default_rules
from meetings.models import CadencePeriod
from tests.factories import CommitteeFactory, EstateFactory

from .conftest import sh

pytestmark = pytest.mark.django_db


@pytest.fixture
def rc_rule(rules_a, rc_a, supervisor_a, director_a, leader):
    return rules_a["rc_contact"]  # at least 2 per month with the residents' committee


def _hold(make_meeting, rc_a, start, now):
    m = make_meeting(kind="rc_contact", committee=rc_a, starts_at=start, now=now, send=True)
    actions.add_walk_in(m, actor=m.organizer, name="居委会委员", unit="", phone="", now=start)
    return m


def test_at_risk_notifies_once_and_missed_records_once(rc_rule, supervisor_a, director_a, leader):
    march = f"cadence:{rc_rule.pk}:2026-03-01"
    # 2026-03-26: 5 days left in March, nothing held or scheduled -> at risk
    scan_cadence(sh(2026, 3, 26, 6, 30))
    scan_cadence(sh(2026, 3, 27, 6, 30))
    p = CadencePeriod.objects.get(rule=rc_rule, period_start=datetime.date(2026, 3, 1))
    assert p.status == "at_risk"
    assert (
        Notification.objects.filter(kind="cadence.at_risk", recipient=supervisor_a, key__startswith=march).count() == 1
    )
    assert Notification.objects.filter(kind="cadence.at_risk", recipient=director_a, key__startswith=march).count() == 1
    assert not Notification.objects.filter(kind="cadence.at_risk", recipient=leader).exists()
    # 2 April: March closed (after the grace day) below the minimum -> missed, director and leader told
    scan_cadence(sh(2026, 4, 2, 6, 30))
    scan_cadence(sh(2026, 4, 3, 6, 30))
    p.refresh_from_db()
    assert p.status == "missed" and p.closed_at == sh(2026, 4, 2, 6, 30)
    assert Notification.objects.filter(kind="cadence.missed", recipient=leader, key__startswith=march).count() == 1
    assert Notification.objects.filter(kind="cadence.missed", recipient=director_a, key__startswith=march).count() == 1


def test_only_held_meetings_count_and_scheduled_ones_avert_at_risk(rc_rule, make_meeting, rc_a, supervisor_a):
    now = sh(2026, 3, 20, 9)
    _hold(make_meeting, rc_a, sh(2026, 3, 21, 10), now)
    make_meeting(kind="rc_contact", committee=rc_a, starts_at=sh(2026, 3, 30, 10), now=now, send=True)
    scan_cadence(sh(2026, 3, 26, 6, 30))
    p = CadencePeriod.objects.get(rule=rc_rule, period_start=datetime.date(2026, 3, 1))
    assert (p.held_count, p.scheduled_count, p.status) == (1, 1, "open")
    assert not Notification.objects.filter(
        kind="cadence.at_risk", key__startswith=f"cadence:{rc_rule.pk}:2026-03"
    ).exists()
    # the scheduled meeting never gets attendance: March is missed with 1 of 2
    scan_cadence(sh(2026, 4, 2, 6, 30))
    p.refresh_from_db()
    assert (p.held_count, p.status) == (1, "missed")


def test_met(rc_rule, make_meeting, rc_a):
    now = sh(2026, 3, 1, 9)
    _hold(make_meeting, rc_a, sh(2026, 3, 5, 10), now)
    _hold(make_meeting, rc_a, sh(2026, 3, 19, 10), now)
    scan_cadence(sh(2026, 4, 5, 6, 30))
    assert CadencePeriod.objects.get(rule=rc_rule, period_start=datetime.date(2026, 3, 1)).status == "met"
    assert not Notification.objects.filter(
        kind__startswith="cadence.", key__startswith=f"cadence:{rc_rule.pk}:2026-03"
    ).exists()


def test_catch_up_after_downtime_records_every_missed_period(rc_rule, leader):
    # the rule is effective from 1 January; the job first runs on 10 April
    scan_cadence(sh(2026, 4, 10, 6, 30))
    missed = CadencePeriod.objects.filter(rule=rc_rule, status="missed").order_by("period_start")
    assert [p.period_start.month for p in missed] == [1, 2, 3]
    mine = Notification.objects.filter(
        kind="cadence.missed", recipient=leader, key__startswith=f"cadence:{rc_rule.pk}:"
    )
    assert mine.count() == 3
    scan_cadence(sh(2026, 4, 10, 7, 30))
    assert mine.count() == 3


def test_rule_for_absent_committee_type_is_skipped(rules_a, leader):
    # estate A has no management committee: the MC rules never produce a period
    scan_cadence(sh(2026, 4, 10, 6, 30))
    assert not CadencePeriod.objects.filter(rule__committee_kind="mc").exists()


def test_install_default_rules_is_idempotent(estate_a, kinds):
    from meetings.cadence_defaults import install_default_rules

    first = install_default_rules(estate_a)
    assert len(first) >= 8
    assert install_default_rules(estate_a) == []
    assert estate_a.cadence_rules.filter(code="oc_quarterly", active=False).exists()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_one_notice(rc_rule, supervisor_a, leader):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL) for real concurrent transactions")
    barrier = threading.Barrier(4)
    errors = []

    def run(now):
        try:
            barrier.wait()
            scan_cadence(now)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    for now in (sh(2026, 3, 27, 6, 30), sh(2026, 4, 3, 6, 30)):
        barrier.reset()
        threads = [threading.Thread(target=run, args=(now,)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors
    assert Notification.objects.filter(kind="cadence.at_risk", recipient=supervisor_a).count() == 1
    missed = Notification.objects.filter(
        kind="cadence.missed", recipient=leader, key__startswith=f"cadence:{rc_rule.pk}:"
    )
    assert missed.count() == 3  # January, February, March: each once despite four concurrent runs
    assert missed.filter(key__startswith=f"cadence:{rc_rule.pk}:2026-03-01").count() == 1
    assert CadencePeriod.objects.filter(rule=rc_rule, period_start=datetime.date(2026, 3, 1)).count() == 1


def test_due_next_counts_every_estate_in_four_queries(django_assert_num_queries, kinds, director_a):
    """The rules (those of committee types the estate has), their meeting kinds, the meetings counted per
    period, the contacts counted per period (calls, visits … of the kinds the rules accept): the home page
    and the cadence page do not make a query per rule or per estate."""
    estates = []
    for _ in range(4):
        estate = EstateFactory()
        CommitteeFactory(estate=estate, kind=Committee.Kind.OC)
        install_default_rules(estate, effective_from=datetime.date(2026, 1, 1))
        estates.append(estate)
    now = sh(2026, 3, 20, 9)
    with django_assert_num_queries(4):
        rows = due_next_by_estate(estates, now)
    assert all({r["rule"].committee_kind for r in rows[e.pk]} == {"oc"} for e in estates)
    with django_assert_num_queries(0):
        assert due_next_by_estate([], now) == {}


def test_a_period_counts_whole_from_the_rule_taking_effect_within_it(rules_a, make_meeting, rc_a):
    # effective from 12 March: March is the first period, judged whole (the meeting of the 5th counts)
    rule = rules_a["rc_contact"]
    rule.effective_from = datetime.date(2026, 3, 12)
    rule.save()
    _hold(make_meeting, rc_a, sh(2026, 3, 5, 10), sh(2026, 3, 1, 9))
    _hold(make_meeting, rc_a, sh(2026, 3, 19, 10), sh(2026, 3, 1, 9))
    scan_cadence(sh(2026, 4, 5, 6, 30))
    assert list(CadencePeriod.objects.filter(rule=rule).values_list("period_start", "status", "held_count")) == [
        (datetime.date(2026, 3, 1), "met", 2),
        (datetime.date(2026, 4, 1), "open", 0),
    ]
