"""A contact counts for a cadence rule that accepts its kind, and for no other, on every surface that
shows cadence: the daily scan (its CadencePeriod row), the cadence page, the home page and December's
assessment (as tests/meetings/test_one_cadence_verdict.py compares them for meetings).

Estate A has a homeowners' committee and a residents' committee, with the §4.1 rules and the 篇2 P&L
statement and inquiry window switched on. No meeting is held in December; instead:
- 2 December: the P&L statement published to the 业委会 (the P&L rule counts publications before the
  5th; the monthly communication rule does not count a publication);
- 3 December: a visit to the 居委会 (its §4.2.1.1 rule counts visits and calls) and a notice-board
  posting for it (which that rule does not count);
- 11 December: the inquiry window held (its own record, not a meeting)."""

import datetime

import pytest
from django.urls import reverse

from meetings import actions
from meetings.cadence import due_next
from meetings.cadence_defaults import install_default_rules
from meetings.models import ContactKind, MeetingKind

from .conftest import sh
from .test_one_cadence_verdict import assessment, home_page, scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate(estate_a, oc_a, rc_a, director_a, kinds):
    install_default_rules(estate_a, effective_from=datetime.date(2026, 1, 1))
    estate_a.cadence_rules.filter(code__in=["pnl_statement", "inquiry_window"]).update(active=True)

    def contact(committee, kind, at, summary):
        actions.record_contact(
            estate=estate_a,
            committee=committee,
            kind=kind,
            occurred_at=at,
            summary=summary,
            actor=director_a,
            now=at + datetime.timedelta(hours=1),
        )

    contact(oc_a, ContactKind.PUBLICATION, sh(2026, 12, 2, 10), "公示11月损益表")
    contact(rc_a, ContactKind.VISIT, sh(2026, 12, 3, 15), "走访居委会")
    contact(rc_a, ContactKind.NOTICE, sh(2026, 12, 3, 16), "张贴停水通知")
    contact(oc_a, ContactKind.INQUIRY_WINDOW, sh(2026, 12, 11, 9), "开放查询审计")
    return estate_a


def only(found, codes):
    return {code: v for code, v in found.items() if code in codes}


def cadence_page(estate, now):
    return {r["rule"].code: (r["status"], r["held"], r["scheduled"]) for r in due_next(estate, now)}


def test_the_pnl_publication_counts_for_its_rule_only_everywhere(estate, director_a):
    # 4 December, the last day "before the 5th"
    now = sh(2026, 12, 4, 9)
    expected = {
        "pnl_statement": ("met", 1, 0),  # the publication
        "oc_monthly": ("open", 0, 0),  # a publication is not a monthly communication
        "rc_contact": ("open", 1, 0),  # the visit; the notice-board posting does not count
    }
    assert only(scan(estate, now), expected) == expected
    assert only(cadence_page(estate, now), expected) == expected
    assert only(assessment(estate, now), expected) == expected
    assert only(home_page(estate, director_a, now), expected) == {c: v for c, v in expected.items() if v[0] != "met"}


def test_the_inquiry_window_is_its_own_record_and_counts_everywhere(estate, director_a):
    # 12 December: the window of the 10th–15th is held; the 居委会 still needs a second visit or call
    now = sh(2026, 12, 12, 9)
    expected = {"inquiry_window": ("met", 1, 0), "rc_contact": ("open", 1, 0), "oc_monthly": ("open", 0, 0)}
    assert only(scan(estate, now), expected) == expected
    assert only(cadence_page(estate, now), expected) == expected
    assert only(assessment(estate, now), expected) == expected
    assert only(home_page(estate, director_a, now), expected) == {c: v for c, v in expected.items() if v[0] != "met"}
    # nobody schedules the window or the P&L statement as a meeting any more
    assert not MeetingKind.objects.filter(code__in=["inquiry_window", "pnl_statement"], active=True).exists()
    assert not estate.cadence_rules.get(code="inquiry_window").kinds.exists()


def test_the_closed_month_keeps_what_the_contacts_gave(estate, director_a):
    # 2 January: December closed. One contact for the 居委会 of two required: missed, in the scan and the
    # assessment; the P&L statement's window of 1–4 December was met
    now = sh(2027, 1, 2, 6, 30)
    expected = {"rc_contact": ("missed", 1, 0), "pnl_statement": ("met", 1, 0), "inquiry_window": ("met", 1, 0)}
    assert only(scan(estate, now), expected) == expected
    assert only(assessment(estate, now), expected) == expected


def test_a_rule_counts_a_kind_once_it_accepts_it(estate, director_a):
    # an administrator lets the §4.2.1.1 rule count notice-board postings too: the page counts both
    now = sh(2026, 12, 10, 9)
    assert cadence_page(estate, now)["rc_contact"] == ("open", 1, 0)
    estate.cadence_rules.filter(code="rc_contact").update(contact_kinds="visit,call,notice")
    assert cadence_page(estate, now)["rc_contact"] == ("met", 2, 0)
    assert scan(estate, now)["rc_contact"] == ("met", 2, 0)


def test_the_assessment_drill_down_lists_the_contacts_counted(estate, client_for, leader, monkeypatch):
    from assessment import views as assessment_views

    monkeypatch.setattr(assessment_views, "current_time", lambda: sh(2026, 12, 20, 9))
    rule = estate.cadence_rules.get(code="rc_contact")
    html = client_for(leader).get(reverse("assessment:cadence_meetings", args=[2026, 12, rule.pk])).content.decode()
    assert "走访居委会" in html  # a visit: counted
    assert "张贴停水通知" not in html  # a notice-board posting: not a kind this rule counts
