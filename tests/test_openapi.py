"""schemathesis against the app's own OpenAPI document, on both databases.

Every operation in /api/v1/openapi.json is called with generated requests (positive and negative),
signed in as an admin with a Bearer token (no CSRF needed), and every answer must pass schemathesis'
checks: no server error, status code documented, content type documented, headers and body matching
the documented schema, negative data rejected, authentication not ignored, unsupported methods 405.

Left out: `positive_data_acceptance` (a schema-valid request must get 2xx): many refusals depend on
data (an unknown organisation or user, the wrong current password, a photo whose bytes do not match
its SHA-256) or on rules the document only states in words (a bbox of four numbers, years 1900–2200).

Excluded operations (they would end the run's authentication or replace the shared test data):
- POST /api/v1/auth/logout and DELETE /api/v1/auth/tokens/{token_id}: sign the fuzzer out;
- POST /api/v1/buurten/import: replaces Assen's buurten (`replace=true`), which later operations use.
Deactivating or resetting the admin used for auth cannot happen: the fuzzer's user ids are random
UUIDs, never the admin's own id.

MUURTJE_OPENAPI_EXAMPLES sets the examples per operation and mode (default 5).
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

MAX_EXAMPLES = int(os.environ.get("MUURTJE_OPENAPI_EXAMPLES", "5"))
EXCLUDED = (
    ("POST", "/api/v1/auth/logout"),
    ("DELETE", "/api/v1/auth/tokens/{token_id}"),
    ("POST", "/api/v1/buurten/import"),
)


@pytest.fixture
def admin_token(app, make_user):
    from app.accounts.auth import issue_device_token

    user, _ = make_user("admin")
    _, token = issue_device_token(user, "schemathesis")
    app.extensions["sqlalchemy"].session.commit()
    return token


@pytest.fixture
def api_schema(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    for method, path in EXCLUDED:
        schema = schema.exclude(method=method, path=path)
    return schema


def test_openapi_conformance(api_schema, admin_token, dialect):
    """Every operation, positive and negative cases: all checks pass, 0 server errors."""
    failures = []
    # identity: schemathesis' WSGI transport does not decode brotli (the app compresses over 1 KB).
    headers = {"Authorization": f"Bearer {admin_token}", "Accept-Encoding": "identity"}
    tally: Counter = Counter()
    for result in api_schema.get_all_operations():
        operation = result.ok()
        tally["operations"] += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
            def call(case):
                tally["requests"] += 1
                response = case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])
                tally["server errors"] += response.status_code >= 500

            try:
                call()
            except Unsatisfiable:
                # No parameters or body to break (e.g. GET /api/v1/me): there is no negative case.
                tally["no negative cases"] += 1
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collect all, then report
                tally["failures"] += 1
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    print(f"\nschemathesis on {dialect}: {dict(tally)}")
    assert not failures, "\n\n".join(failures)
