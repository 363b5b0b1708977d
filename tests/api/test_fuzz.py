"""Property-based fuzzing of the whole API from its own OpenAPI schema (schemathesis, in-process through
the WSGI application), as estate A's director with a token: no 500s, every status documented, every
response body matching the schema. Each operation gets API_FUZZ_EXAMPLES generated requests (default 20),
for routes with an id aimed at a real object of the director's estate (so the handlers behind the 404s
run), plus a quarter as many with random ids; then half as many with schema-breaking (negative) input.
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.models import ApiToken
from liaison.wsgi import application
from meetings.models import Resolution

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "20"))
POSITIVE_CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# schema-breaking input: it must be refused cleanly (no 500) with a documented JSON error
NEGATIVE_CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]


@pytest.fixture
def targets(meeting_a, held_meeting_a, issue_a, signoff_a, director_a, estate_a, oc_a, kinds):
    resolution = Resolution.objects.create(
        meeting=held_meeting_a,
        text="补种",
        owner=director_a,
        owner_name="王主任",
        action="联系",
        due_date=held_meeting_a.starts_at.date(),
    )
    return {
        "/api/estates/": estate_a.pk,
        "/api/committees/": oc_a.pk,
        "/api/meeting-kinds/": kinds["oc_routine"].pk,
        "/api/meetings/": held_meeting_a.pk,
        "/api/invitations/": meeting_a.invitations.first().pk,
        "/api/resolutions/": resolution.pk,
        "/api/issues/": issue_a.pk,
        "/api/signoffs/": signoff_a.pk,
    }


def _run(op, strategy, headers, checks, failures, examples=EXAMPLES):
    @hsettings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )
    @given(case=strategy)
    def run(case):
        case.call_and_validate(headers=headers, checks=checks)

    import time

    t = time.monotonic()
    try:
        run()
    # FailureGroup is a BaseExceptionGroup, not an Exception: name it, or the first failure ends the run
    except (Exception, FailureGroup) as exc:  # collect every operation's failure, report them together
        failures.append(f"{op.method.upper()} {op.path}: {exc}")
    if os.environ.get("API_FUZZ_TIMING"):
        print(f"{time.monotonic() - t:6.2f}s {op.method.upper()} {op.path}")


def test_fuzz_the_api_from_its_schema(settings, director_a, targets):
    settings.API_THROTTLE_RATES = {"token": "100000/min", "session": "100000/min", "anon": "100000/min"}
    _token, raw = ApiToken.create_for(director_a, "fuzz")
    headers = {"Authorization": f"Bearer {raw}"}
    # like Django's test client: a request must not close the test's database connection (PostgreSQL)
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        failures, operations = _fuzz(headers, targets)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    assert operations >= 35
    assert not failures, "\n\n".join(failures)


def _fuzz(headers, targets):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    failures, operations = [], 0
    for result in schema.get_all_operations():
        op = result.ok()
        operations += 1
        if "{id}" in op.path:
            # aimed at a real object of the director's estate, then random ids (mostly 404s)
            ids = {"id": targets[op.path.split("{id}")[0]]}
            _run(op, op.as_strategy(path_parameters=ids), headers, POSITIVE_CHECKS, failures)
            _run(op, op.as_strategy(), headers, POSITIVE_CHECKS, failures, examples=max(EXAMPLES // 4, 1))
        else:
            _run(op, op.as_strategy(), headers, POSITIVE_CHECKS, failures)
        negative = op.as_strategy(generation_mode=GenerationMode.NEGATIVE)
        _run(op, negative, headers, NEGATIVE_CHECKS, failures, examples=max(EXAMPLES // 2, 1))
    return failures, operations
