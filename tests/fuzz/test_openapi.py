"""Fuzzing the REST API from its own OpenAPI document: no request may get a 5xx (issue 12).

Schemathesis turns every operation of /api/v1/_openapi into requests that fit the document
and requests that break it, and sends them in process to the app with a center manager's
and a window staff member's API token; a successful answer must also match the document.
It takes minutes, so the default run leaves it out; `.ci/run` runs it on SQLite and on
PostgreSQL: `pytest -m fuzz tests/fuzz`.

Bounded two ways: GOVHALL_FUZZ_EXAMPLES requests per operation and user (default 200), and
GOVHALL_FUZZ_SECONDS per user (default 120), shared evenly by the operations, so a slow
machine runs fewer requests per operation but still every operation.
"""

import os
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.world import PASSWORD

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("GOVHALL_FUZZ_EXAMPLES", "200"))
SECONDS = float(os.environ.get("GOVHALL_FUZZ_SECONDS", "120"))
# Logging out would revoke the token the run uses.
LEFT_OUT = "/api/v1/security/logout"


def _token(app, username):
    response = app.test_client().post(
        "/api/v1/security/login", json={"username": username, "password": PASSWORD, "provider": "db"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["access_token"]


def _operations(app):
    # The document is an Admin resource; NUL characters are fair game (PostgreSQL refuses them).
    config = SchemathesisConfig.from_dict({"generation": {"allow-x00": True}})
    headers = {"Authorization": f"Bearer {_token(app, 'admin')}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/_openapi", app, config=config, headers=headers)
    operations = [result.ok() for result in schema.exclude(path=LEFT_OUT).get_all_operations()]
    assert len(operations) >= 25
    return operations


class _TimeUp(Exception):
    """The operation's share of the time limit is spent."""


def _failures(operation, token, seconds):
    """(requests sent, the first failing request as a line to report or None) for `operation`."""
    strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))
    until = time.monotonic() + seconds
    sent = 0

    # Derandomized: CI sees the same requests every run; no shrinking, so a failure costs no time.
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        nonlocal sent
        if time.monotonic() > until:
            raise _TimeUp
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        sent += 1
        where = f"{case.method} {case.formatted_path} query={case.query} body={case.body!r:.300}"
        assert response.status_code < 500, f"{where}: {response.status_code} {response.content[:300]!r}"
        if response.status_code < 300:
            case.validate_response(response, checks=[response_schema_conformance])

    try:
        run()
    except _TimeUp:
        pass
    except (AssertionError, FailureGroup) as exc:  # a 5xx; schemathesis's report of a body off the document
        return sent, f"{operation.label}: {exc}"
    return sent, None


@pytest.mark.parametrize("username", ["manager", "staff_a"])  # a center manager, window staff
def test_no_request_gets_a_server_error(app, username):
    token = _token(app, username)
    operations = _operations(app)
    results = [_failures(operation, token, SECONDS / len(operations)) for operation in operations]
    sent = sum(count for count, _ in results)
    print(f"{username}: {sent} requests over {len(operations)} operations")
    failures = [line for _, line in results if line]
    assert not failures, "\n".join(failures)
