"""Substring search that an index can serve: "does any of these fields contain the query?".

Chinese queries are mostly two characters (漏水, 路灯) and a trigram index does not serve them. On
PostgreSQL each searched table has a GIN index on `liaison_grams(field, …)`: the set of single
characters and pairs of characters of its fields, lower-cased (the function is made by
liaison/migrations/0008_text_grams.py; the indexes by each app's migration, with the same fields as
SEARCHED below). A text containing the query contains every pair of the query's characters, so
"grams ⊇ the query's pairs" narrows the rows through the index; `icontains` then keeps the exact
matches. On SQLite (make run) the index does not exist and the plain `icontains` scan answers alone.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import Func, Q, TextField

# table -> the fields its grams index covers (the finders search exactly these)
SEARCHED = {
    "followups_issue": ["title", "description", "location", "raised_by"],
    "meetings_meeting": ["title", "place"],
    "meetings_agendaitem": [
        "title",
        "cause",
        "process",
        "necessity",
        "owners_attitude",
        "support_requested",
        "discussion",
    ],
    "meetings_minutes": ["summary", "host_name", "recorder_name"],
    "meetings_resolution": ["text", "action", "owner_name"],
    "records_workcontactsheet": ["subject", "content", "reply", "number"],
}


class Grams(Func):
    function = "liaison_grams"
    output_field = ArrayField(TextField())


def query_grams(q):
    """What every text containing `q` has among its grams: q itself if one character, else its pairs."""
    q = q.lower()
    if len(q) == 1:
        return [q]
    return sorted({q[i : i + 2] for i in range(len(q) - 1)})


CAP = 2000  # candidates read through the grams index before a query counts as common


def newest_matching(qs, fields, q, order, limit, narrow=None):
    """The first `limit` rows of `qs` in `order` where one of `fields` contains `q`, with work bounded
    whatever the data's size. The grams index finds a rare word's rows at once but must read them all
    to order them; a common word's rows are met soon walking `order`'s index. So: read at most CAP
    matching ids through the index; if that is all of them, order those; else the word is common and
    the ordered walk stops after `limit` matches. `narrow` replaces the plain any-field condition
    (a finder with a condition of its own) and must imply it."""
    cond = narrow if narrow is not None else _contains(fields, q)
    if connection.vendor != "postgresql":
        return list(qs.filter(cond).order_by(*order)[:limit])
    ids = list(narrowed(qs, fields, q).filter(cond).order_by().values_list("pk", flat=True)[: CAP + 1])
    if len(ids) <= CAP:
        return list(qs.filter(pk__in=ids).order_by(*order)[:limit])
    return list(qs.filter(cond).order_by(*order)[:limit])


def _contains(fields, q):
    cond = Q()
    for f in fields:
        cond |= Q(**{f"{f}__icontains": q})
    return cond


def narrowed(qs, fields, q):
    """On PostgreSQL, `qs` limited through the grams index of its table (`fields` must be its
    SEARCHED fields, in that order, for the index to serve); elsewhere `qs` itself."""
    if connection.vendor != "postgresql":
        return qs
    table = qs.model._meta.db_table
    assert SEARCHED.get(table) == list(fields), f"{table}: search the fields its grams index covers"
    return qs.alias(_grams=Grams(*fields)).filter(_grams__contains=query_grams(q))
