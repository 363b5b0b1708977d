"""The home page's 'due next' takes the types of committee each estate has from the home scope (the
estates query reads them anyway) instead of an EXISTS per rule: the same rules, in the same order, as
cadence.due_next, which skips the rules of a committee type the estate does not have."""

import datetime
import zoneinfo

import pytest

from liaison.models import Committee
from liaison.views import HomeScope
from meetings import cadence
from meetings.cadence_defaults import ensure_default_kinds, install_default_rules
from meetings.home import due_next_by_estate
from tests.factories import CommitteeFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 20, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


def _rows(rows):
    return [(r["rule"].pk, r["held"], r["scheduled"], r["status"], r["end"]) for r in rows]


@pytest.fixture
def rules(estate_a, estate_b):
    ensure_default_kinds()
    for estate in (estate_a, estate_b):
        install_default_rules(estate, effective_from=datetime.date(2026, 1, 1))


def test_the_scope_reads_each_estates_committee_types(director_a, estate_a, oc_a, rc_a):
    (estate,) = HomeScope(director_a).estates
    assert estate.pk == estate_a.pk
    assert estate.committee_kinds == {Committee.Kind.OC, Committee.Kind.RC}


@pytest.mark.parametrize("kinds", [(), (Committee.Kind.OC,), (Committee.Kind.OC, Committee.Kind.RC)])
def test_due_next_from_the_scope_is_cadence_due_next(director_a, estate_a, estate_b, rules, kinds):
    for kind in kinds:
        CommitteeFactory(estate=estate_a, kind=kind, name=f"{kind} 委员会")
    CommitteeFactory(estate=estate_b, kind=Committee.Kind.RC, name="另一小区居委会")
    (estate,) = HomeScope(director_a).estates
    got = due_next_by_estate([estate], NOW, {estate.pk: estate.committee_kinds})[estate.pk]
    assert _rows(got) == _rows(cadence.due_next(estate_a, NOW))
    assert _rows(got) == _rows(due_next_by_estate([estate_a], NOW)[estate_a.pk])
    assert {r["rule"].committee_kind for r in got} <= set(kinds)
    assert bool(got) == bool(kinds)


def test_home_page_lists_only_rules_of_committees_the_estate_has(client, director_a, estate_a, oc_a, rules):
    client.force_login(director_a)
    html = client.get("/").content.decode()
    due = [r for r in cadence.due_next(estate_a, datetime.datetime.now(datetime.UTC)) if r["status"] != "met"]
    assert due and all(r["rule"].committee_kind == Committee.Kind.OC for r in due)
    for r in due:
        assert r["rule"].name in html
