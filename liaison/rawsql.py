"""Hand-written SQL for the pages every user opens first (the home page's panels).

Why: building and compiling an ORM query costs ~1-1.5 ms of Python each (measured on the bulk data:
the director's invitations 1.56 ms through the ORM, 0.37 ms as the same SELECT here); the home page
ran nine of them. The SQL here is plain SQL that PostgreSQL and SQLite both run, with `%s`
placeholders; the scoping conditions come from liaison.views.HomeScope.where() (the same rule as
access.scope), and tests compare every panel's rows with the ORM functions they stand for.
"""

import datetime
import json as _json

from django.db import connection
from django.utils import timezone

NOTHING = ("1 = 0", [])
EVERYTHING = ("1 = 1", [])


def select(sql, params=()):
    """The rows of a SELECT, as tuples."""
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def within(column, values):
    """(`column IN (%s, ...)`, values); a condition that matches nothing for no values."""
    values = list(values)
    if not values:
        return NOTHING
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


def param(value):
    """A datetime as the database takes it (SQLite: a naive UTC string, as the ORM writes them)."""
    return connection.ops.adapt_datetimefield_value(value)


def aware(value):
    """A datetime read from the database, aware (SQLite returns naive UTC ones)."""
    if isinstance(value, datetime.datetime) and timezone.is_naive(value):
        return value.replace(tzinfo=datetime.UTC)
    return value


def json(value):
    """A JSON column's value as read here: text on PostgreSQL (Django reads jsonb as text) and SQLite."""
    return _json.loads(value) if isinstance(value, (str, bytes)) else value


def instance(model, values):
    """A `model` instance as the ORM reads one with `.only(*values)`: {attname: value} (already
    converted: aware datetimes, decoded JSON); the fields not given are deferred, read on first use."""
    fields = model._meta.concrete_fields
    unknown = set(values) - {f.attname for f in fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no column {', '.join(sorted(unknown))}")
    ordered = [f.attname for f in fields if f.attname in values]
    return model.from_db(connection.alias, ordered, [values[name] for name in ordered])
