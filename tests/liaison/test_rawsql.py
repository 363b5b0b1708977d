"""liaison.rawsql: the hand-written SQL of the home page and the month view reads the same values as
the ORM on PostgreSQL and SQLite (aware datetimes, JSON, no rows for an empty id list), and the home
scope's SQL conditions deny an inactive account everything."""

import datetime

import pytest
from django.utils import timezone

from liaison import rawsql
from liaison.models import AuditEntry, Estate
from liaison.views import HomeScope

pytestmark = pytest.mark.django_db


def test_an_empty_id_list_matches_nothing(estate_a):
    cond, params = rawsql.within("e.id", [])
    assert rawsql.select(f"SELECT e.id FROM liaison_estate e WHERE {cond}", params) == []
    cond, params = rawsql.within("e.id", [estate_a.pk, estate_a.pk + 1000])
    assert rawsql.select(f"SELECT e.name FROM liaison_estate e WHERE {cond}", params) == [("翠湖花园",)]


def test_datetimes_go_in_and_come_back_as_the_orm_reads_them(estate_a, director_a):
    at = timezone.now().replace(microsecond=123456)
    log = AuditEntry.objects.create(object_type="estate", object_id=str(estate_a.pk), action="edited", created=at)
    rows = rawsql.select(
        "SELECT id, created FROM liaison_auditentry WHERE created >= %s AND created < %s",
        [rawsql.param(at), rawsql.param(at + datetime.timedelta(seconds=1))],
    )
    assert [(pk, rawsql.aware(value)) for pk, value in rows] == [(log.pk, at)]
    assert rawsql.aware(rows[0][1]).utcoffset() == datetime.timedelta(0)


def test_json_columns_read_as_the_orm_reads_them():
    from assessment.models import ProvisionalSnapshot

    snap = ProvisionalSnapshot.objects.create(
        year=2026, month=11, computed_at=timezone.now(), weights={"出席": 0.5}, estate_ids=[3, 1], total={"a": [1, 2]}
    )
    ((weights, ids, total),) = rawsql.select(
        "SELECT weights, estate_ids, total FROM assessment_provisionalsnapshot WHERE id = %s", [snap.pk]
    )
    assert (rawsql.json(weights), rawsql.json(ids), rawsql.json(total)) == ({"出席": 0.5}, [3, 1], {"a": [1, 2]})


def test_an_inactive_account_sees_nothing_through_the_sql_conditions(director_a, estate_a):
    director_a.is_active = False
    scope = HomeScope(director_a)
    for cond, params in (scope.where("e.id", None), scope.managed_where("e.id")):
        assert rawsql.select(f"SELECT e.id FROM liaison_estate e WHERE {cond}", params) == []
    assert Estate.objects.exists()


def test_instances_defer_what_was_not_read(estate_a, oc_a):
    """Rules read by the home page's SQL carry the stored values of the columns they did not read."""
    from meetings.cadence_defaults import ensure_default_kinds, install_default_rules
    from meetings.home import _rules
    from meetings.models import CadenceRule

    ensure_default_kinds()
    install_default_rules(estate_a)
    CadenceRule.objects.filter(estate=estate_a).update(effective_from=datetime.date(2025, 3, 1), clause="§9.9")
    rules = _rules([estate_a.pk])
    assert rules and all(r.effective_from == datetime.date(2025, 3, 1) and r.clause == "§9.9" for r in rules)
    stored = {r.pk: (r.name, r.min_count, set(r.kinds.values_list("pk", flat=True))) for r in rules}
    assert stored == {r.pk: (r.name, r.min_count, r.kind_ids) for r in rules}
    with pytest.raises(ValueError):
        rawsql.instance(CadenceRule, {"id": 1, "no_such_column": 2})
