"""The whole API fuzzed from its own OpenAPI document, as anonymous and as an officer with a token.

Schemathesis reads /api/v1/openapi.json from the Django application in process (WSGI, no server)
and, for every operation, sends generated requests: valid ones and invalid ones (wrong types,
missing fields, bodies that are not JSON, NUL characters...). Every response must not be a
server error, and must be one the document declares, with the declared content type and body
schema. Each operation is a test of its own in its own transaction, so nothing it writes outlives
it.

The number of examples per operation is bounded so that the run fits in CI with the rest of the
suite: OCOP_FUZZ_EXAMPLES (default 20; raise it to hunt, e.g. OCOP_FUZZ_EXAMPLES=500). The
generation is deterministic, so CI fails only on what a change broke; OCOP_FUZZ_RANDOM=1 explores.
"""

from __future__ import annotations

import os
from collections import defaultdict

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from ninja import Schema
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("OCOP_FUZZ_EXAMPLES", "20"))
RANDOM = os.environ.get("OCOP_FUZZ_RANDOM") == "1"

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
schema.config.generation.update(
    max_examples=EXAMPLES,
    deterministic=not RANDOM,
    # Authentication is given by the test (none, or the officer's token), not generated.
    with_security_parameters=False,
)
# Excluded, because it cannot be fuzzed sensibly: a job's file download answers with the file
# itself (an .xlsx or .csv, any bytes), which no JSON schema describes; its errors are the
# same 401/404 as GET /jobs/{job_id}, which is fuzzed.
schema = schema.exclude(path="/api/v1/jobs/{job_id}/download")

FUZZ_SETTINGS = settings(
    # The records and the token are made once per operation and shared by its examples, on
    # purpose: the examples see (and may change) the same small registry, rolled back after.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
    deadline=None,
)


@pytest.fixture(autouse=True)
def _connection_kept_open():
    """As Django's test client does: a request must not close the database connection when it
    ends (on PostgreSQL, the connection holds the transaction the test runs in)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def officer_token(officer_a):
    from ocop.accounts.models import ApiToken

    return ApiToken.issue(user=officer_a, name="fuzz")[1]


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_the_api_answers_anonymous_callers_as_documented(case, records):
    case.call_and_validate(checks=CHECKS)


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_the_api_answers_an_officer_with_a_token_as_documented(case, records, officer_token):
    case.call_and_validate(checks=CHECKS, headers={"Authorization": f"Bearer {officer_token}"})


def test_every_schema_in_the_document_is_one_class():
    """The document names a schema by its class's name: two classes of one name (geo's and the
    dashboard's UnitOut) became one schema, which one of them then broke. The fuzzer finds such a
    clash only when it happens to hit it."""
    import ocop.api  # noqa: F401  (every router, so every schema class, imported)

    modules = defaultdict(set)
    stack = [Schema]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("ocop."):
            modules[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    assert {name: found for name, found in modules.items() if len(found) > 1} == {}
