"""The grams index serves the search on PostgreSQL: the function, one index per searched table on
exactly the fields the finders search, and the finders' query using it."""

import re

import pytest
from django.db import connection, transaction

from followups.models import Issue
from liaison import textsearch
from liaison.textsearch import SEARCHED, narrowed, newest_matching, query_grams

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the index is PostgreSQL's"),
]


def sql(query, *args):
    with connection.cursor() as c:
        c.execute(query, args)
        return c.fetchall()


def test_grams_are_the_characters_and_their_pairs():
    [(grams,)] = sql("SELECT liaison_grams('地下车库漏水', NULL, 'LED')")
    assert {"漏水", "漏", "水", "库漏", "le", "ed", "l"} <= set(grams)
    assert "车漏" not in grams and "水l" not in grams  # pairs stay within one text
    assert set(query_grams("漏水")) <= set(grams) and query_grams("灯") == ["灯"]


def test_each_searched_table_has_its_index_on_the_searched_fields():
    for table, fields in SEARCHED.items():
        [(definition,)] = sql("SELECT indexdef FROM pg_indexes WHERE indexname = %s", f"{table}_grams")
        # PostgreSQL prints it as liaison_grams(VARIADIC ARRAY[(title)::text, description, …])
        inside = re.search(r"liaison_grams\(VARIADIC ARRAY\[(.*)\]\)", definition.replace('"', "")).group(1)
        assert [re.sub(r"^\((.*)\)::text$", r"\1", c.strip()) for c in inside.split(",")] == fields, table


def test_the_issue_search_goes_through_the_index(raise_issue):
    raise_issue(title="地下车库漏水")
    # unscoped and unordered, so that no other index competes: what is checked is that the finders'
    # expression is the index's (PostgreSQL matches them by expression)
    qs = narrowed(Issue.objects.order_by(), SEARCHED["followups_issue"], "漏水").filter(title__icontains="漏水")
    with transaction.atomic():
        with connection.cursor() as c:
            c.execute("SET LOCAL enable_seqscan = off")
        plan = qs.explain()
        assert [i.title for i in qs] == ["地下车库漏水"]
    assert "followups_issue_grams" in plan


@pytest.mark.parametrize("cap", [1, 2000])
def test_rare_and_common_words_give_the_newest_matches_in_order(raise_issue, monkeypatch, cap):
    """Under the cap the index's candidates are ordered; over it (a common word) the ordered walk
    answers: the same rows either way, newest first."""
    monkeypatch.setattr(textsearch, "CAP", cap)
    for n in range(4):
        raise_issue(title=f"地下车库漏水{n}")
    raise_issue(title="路灯不亮")
    found = newest_matching(Issue.objects.all(), SEARCHED["followups_issue"], "漏水", ("-raised_at", "-pk"), 3)
    newest = Issue.objects.filter(title__contains="漏水").order_by("-raised_at", "-pk")[:3]
    assert [i.pk for i in found] == [i.pk for i in newest] and len(found) == 3
