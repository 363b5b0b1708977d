"""Fixtures for the reliability and security suite.

`world` builds one object of every kind that a URL can name, all in estate A (see world.py); the
personas come from tests/conftest.py. Passwords are hashed with a fast hasher here: the suite creates
many users and PBKDF2's million rounds cost ~0.5 s each.
"""

import os

import pytest
from django.apps import apps
from django.db import connection

from . import world as world_mod


@pytest.fixture
def personas(request, estate_a, estate_b, oc_a, rc_a, oc_b):
    names = [
        "director_a",
        "supervisor_a",
        "dept_a",
        "leader",
        "assessor",
        "admin_user",
        "chair_a",
        "member_a",
        "rc_member_a",
        "chair_b",
        "director_b",
    ]
    return {name: request.getfixturevalue(name) for name in names}


@pytest.fixture
def world(personas, estate_a, oc_a, rc_a):
    return world_mod.build(personas, estate_a=estate_a, oc_a=oc_a, rc_a=rc_a)


# tables whose rows change on every request for reasons unrelated to the objects (sessions, login
# throttling records)
VOLATILE = {"sessions.session", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}


def fingerprint():
    """Every row of every table (except sessions and throttling logs): compare two to prove nothing changed."""
    out = {}
    tables = set(connection.introspection.table_names())
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in VOLATILE or not model._meta.managed or model._meta.db_table not in tables:
            continue  # (a table not migrated yet: an app still being built)
        rows = []
        for row in model._base_manager.order_by("pk").values_list():
            rows.append(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row))
        out[label] = rows
    return out


def diff(before, after):
    changed = []
    for label in sorted(set(before) | set(after)):
        if before.get(label) != after.get(label):
            b, a = before.get(label, []), after.get(label, [])
            changed.append(f"{label}: {len(b)} -> {len(a)} rows" if len(b) != len(a) else f"{label}: rows edited")
    return changed


def needs_pg_and_redis():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")) or not os.environ.get("REDIS_URL"):
        pytest.skip("integration: needs DATABASE_URL=postgres://… and REDIS_URL")


class WriteRecorder:
    """Records every statement that wrote a row (INSERT, or UPDATE/DELETE that matched rows) while active,
    except on tables that change for every request (sessions, throttling, API token last-use)."""

    IGNORE = ("django_session", "axes_", "api_apitoken")

    def __init__(self):
        self.writes = []

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        verb = sql.lstrip().split(" ", 1)[0].upper()
        if verb in ("INSERT", "UPDATE", "DELETE"):
            table = sql.split('"')[1] if '"' in sql else sql
            rowcount = getattr(context["cursor"], "rowcount", 1)
            if not table.startswith(self.IGNORE) and (verb == "INSERT" or rowcount):
                self.writes.append(f"{verb} {table} ({rowcount} rows)")
        return result

    def __enter__(self):
        self._cm = connection.execute_wrapper(self)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)
