"""The same meetings give the same cadence verdict everywhere: the daily scan (its CadencePeriod row),
the home page's 'due next' rows, the cadence page (cadence.due_next) and December's assessment (its
rule periods and the dashboard's figures).

Estate A has a homeowners' committee only. Its §4.1.3 rule (one routine meeting every two months)
takes effect on 3 December 2026, and a routine meeting was held on 20 November: the November–December
period is judged whole, so it is met (it used to be met on the meetings pages and missed in December's
assessment). In December a monthly meeting was cancelled and another never got its sign-in (neither
counts), and the director–chair exchange is scheduled for the 28th (it counts as scheduled until then).
The residents' committee and management committee rules apply nowhere: the estate has neither."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from assessment import cadence as assessment_cadence
from assessment import live
from assessment.months import Month
from liaison.models import Committee
from meetings import home
from meetings.cadence import due_next, scan_cadence
from meetings.cadence_defaults import install_default_rules
from meetings.models import CadencePeriod, Meeting

from .conftest import sh

pytestmark = pytest.mark.django_db

DECEMBER = Month(2026, 12)
# the rules that apply to estate A and end a period in December
APPLYING = {"oc_routine", "oc_monthly", "director_chair"}


@pytest.fixture
def estate(estate_a, oc_a, director_a, kinds):
    rules = {r.code: r for r in install_default_rules(estate_a, effective_from=datetime.date(2026, 1, 1))}
    rules["oc_routine"].effective_from = datetime.date(2026, 12, 3)
    rules["oc_routine"].save()

    def meeting(kind, at, status, **kw):
        return Meeting.objects.create(
            estate=estate_a,
            committee=oc_a,
            kind=kinds[kind],
            title=f"{kind} {at:%m-%d}",
            starts_at=at,
            ends_at=at + datetime.timedelta(hours=2),
            place="管理处会议室",
            status=status,
            **kw,
        )

    meeting("oc_routine", sh(2026, 11, 20, 14), Meeting.Status.HELD, attendance_recorded_at=sh(2026, 11, 20, 14, 5))
    meeting("oc_monthly", sh(2026, 12, 5, 14), Meeting.Status.CANCELLED)
    meeting("oc_monthly", sh(2026, 12, 8, 14), Meeting.Status.HELD)  # held, but no one signed in
    meeting("director_chair", sh(2026, 12, 28, 10), Meeting.Status.CONFIRMED)
    return estate_a


def scan(estate, now):
    """The scan's stored rows for December's periods."""
    scan_cadence(now)
    rows = CadencePeriod.objects.filter(
        estate=estate, period_end__gte=DECEMBER.first_day, period_end__lte=DECEMBER.last_day
    ).select_related("rule")
    return {p.rule.code: (p.status, p.held_count, p.scheduled_count) for p in rows}


def cadence_page(estate, now):
    return {r["rule"].code: (r["status"], r["held"], r["scheduled"]) for r in due_next(estate, now)}


def home_page(estate, director, now):
    """The home page's 'due next' rows for the estate (it leaves out the rules already met), as rendered."""
    request = RequestFactory().get("/")
    request.user = director
    panel = home.panel(request, now)
    [due] = [d for d in panel["due"] if d["estate"] == estate]
    html = render_to_string(panel["template"], {"panel": panel}, request=request)
    for r in due["rules"]:
        assert f'<tr class="cadence-{r["status"]}">\n  <td>{r["rule"].name}</td>' in html
    return {r["rule"].code: (r["status"], r["held"], r["scheduled"]) for r in due["rules"]}


def assessment(estate, now):
    """December's rule periods (as the dashboard's cadence list reads them) and the estate's figures."""
    periods = assessment_cadence.due_periods(DECEMBER, live.cadence_now(DECEMBER, now), [estate.pk])
    figures = live.compute(DECEMBER, now, [estate.pk])["estates"][estate.pk]
    by_code = {rp.code: (rp.status, rp.held, rp.scheduled) for rp in periods}
    statuses = [status for status, _h, _s in by_code.values()]
    assert figures.get("cadence_due", 0) == len(periods)
    for status in ("met", "at_risk", "missed"):
        assert figures.get(f"cadence_{status}", 0) == statuses.count(status)
    return by_code


@pytest.mark.parametrize(
    "now, expected",
    [
        # 10 December: three weeks left in the month
        (
            sh(2026, 12, 10, 9),
            {"oc_routine": ("met", 1, 0), "oc_monthly": ("open", 0, 0), "director_chair": ("open", 0, 1)},
        ),
        # 26 December: five days left; the scheduled exchange keeps its rule out of risk
        (
            sh(2026, 12, 26, 9),
            {"oc_routine": ("met", 1, 0), "oc_monthly": ("at_risk", 0, 0), "director_chair": ("open", 0, 1)},
        ),
    ],
)
def test_every_reader_gives_the_same_verdict_during_the_month(estate, director_a, now, expected):
    assert scan(estate, now) == expected
    assert cadence_page(estate, now) == expected
    assert assessment(estate, now) == expected
    assert home_page(estate, director_a, now) == {code: v for code, v in expected.items() if v[0] != "met"}


def test_the_closed_period_is_the_scans_verdict_in_the_assessment(estate, director_a):
    # 2 January: the scan closes December (after its grace day); the exchange on the 28th got no sign-in
    now = sh(2027, 1, 2, 6, 30)
    expected = {"oc_routine": ("met", 1, 0), "oc_monthly": ("missed", 0, 0), "director_chair": ("missed", 0, 0)}
    assert scan(estate, now) == expected
    assert assessment(estate, now) == expected
    # its attendance is entered later: the closed period stays missed, in the scan and the assessment
    Meeting.objects.filter(kind__code="director_chair").update(
        status=Meeting.Status.HELD, attendance_recorded_at=sh(2027, 1, 4, 9)
    )
    later = sh(2027, 1, 5, 9)
    assert scan(estate, later) == expected
    assert assessment(estate, later) == expected
    # the pages have moved on to the periods of January (and January–February)
    assert {r["start"] for r in due_next(estate, later)} == {datetime.date(2027, 1, 1)}


def test_before_the_scan_has_run_the_assessment_counts_the_same_way(estate):
    # no CadencePeriod rows yet: December's assessment, once the month has ended, counts the meetings itself
    assert not CadencePeriod.objects.exists()
    assert assessment(estate, sh(2027, 1, 5, 9)) == {
        "oc_routine": ("met", 1, 0),
        "oc_monthly": ("missed", 0, 0),
        "director_chair": ("missed", 0, 0),
    }


def test_rules_of_committee_types_the_estate_lacks_give_no_verdict_anywhere(estate, director_a):
    now = sh(2026, 12, 10, 9)
    assert not estate.committees.filter(kind__in=[Committee.Kind.RC, Committee.Kind.MC]).exists()
    assert estate.cadence_rules.filter(active=True).exclude(code__in=APPLYING).exists()  # rc_contact, mc_*
    assert set(scan(estate, now)) == APPLYING
    assert set(cadence_page(estate, now)) == APPLYING
    assert set(assessment(estate, now)) == APPLYING
    assert set(home_page(estate, director_a, now)) <= APPLYING
    assert not CadencePeriod.objects.exclude(rule__code__in=APPLYING).exists()


def test_a_rule_not_yet_in_effect_is_nowhere(estate, director_a):
    # the §4.1.3 rule now takes effect on 1 January 2027: November–December is not its period
    now = sh(2026, 11, 25, 9)
    estate.cadence_rules.filter(code="oc_routine").update(effective_from=datetime.date(2027, 1, 1))
    assert "oc_routine" not in scan(estate, now)
    assert "oc_routine" not in cadence_page(estate, now)
    assert "oc_routine" not in home_page(estate, director_a, now)
    assert "oc_routine" not in assessment(estate, sh(2026, 12, 10, 9))
    assert not CadencePeriod.objects.filter(rule__code="oc_routine").exists()


def test_a_meeting_below_quorum_does_not_count_anywhere(estate, director_a, kinds):
    # seed 002 第六条: the management committee meets in December twice; on the 8th only four of its nine
    # members signed in (below the two-thirds quorum, recorded on the meeting), on the 29th six did
    from tests.factories import CommitteeFactory

    mc = CommitteeFactory(estate=estate, kind=Committee.Kind.MC, name="翠湖花园小区管理委员会")

    def mc_meeting(at, below_quorum):
        return Meeting.objects.create(
            estate=estate,
            committee=mc,
            kind=kinds["mc_meeting"],
            title=f"管委会例会 {at:%m-%d}",
            starts_at=at,
            ends_at=at + datetime.timedelta(hours=2),
            place="管理处会议室",
            status=Meeting.Status.HELD,
            attendance_recorded_at=at,
            below_quorum=below_quorum,
        )

    mc_meeting(sh(2026, 12, 8, 14), True)
    now = sh(2026, 12, 26, 9)
    expected = ("at_risk", 0, 0)
    assert scan(estate, now)["mc_monthly"] == expected
    assert cadence_page(estate, now)["mc_monthly"] == expected
    assert assessment(estate, now)["mc_monthly"] == expected
    assert home_page(estate, director_a, now)["mc_monthly"] == expected
    # the quorate meeting of the 29th counts, the one of the 8th still does not
    mc_meeting(sh(2026, 12, 29, 14), False)
    later = sh(2026, 12, 30, 9)
    assert scan(estate, later)["mc_monthly"] == ("met", 1, 0)
    assert cadence_page(estate, later)["mc_monthly"] == ("met", 1, 0)
    assert assessment(estate, later)["mc_monthly"] == ("met", 1, 0)
