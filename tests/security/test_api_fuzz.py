"""Schemathesis against the API, in-process (a live test server on the loopback), with a city
administrator's and a district officer's token: every operation of the OpenAPI, boundary values
(coverage phase) and random ones (fuzzing phase); 0 server errors and 0 responses outside the schema.

Bounded: seeded, 12 random examples per operation and phase, no shrinking, ~1–2 minutes a role.
The same run against a demo from the command line (longer): ``make fuzz`` (docs/security.md).
"""

from __future__ import annotations

import collections
import logging

import pytest
from django.test import override_settings

from .world import build

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is in the dev extras")

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.fuzz]

# The checks that make "0 server errors and 0 schema violations"; positive_data_acceptance is left
# out on purpose: the rules of the scheme (a technical amount within the contract's, a loan within
# the line, a task's assignee of the firm's unit) cannot be said in JSON Schema, and a schema-valid
# request that breaks one is rightly answered 422 with the reason.
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "response_headers_conformance", "negative_data_rejection",
          "missing_required_header", "unsupported_method", "ignored_auth")


def run(base_url: str, token: str, *, seed: int = 13, examples: int = 8):
    from schemathesis.config import SchemathesisConfig
    from schemathesis.engine import events, from_schema

    config = SchemathesisConfig.from_dict({
        "seed": seed,
        "workers": 1,
        "headers": {"Authorization": f"Bearer {token}"},
        "generation": {"max-examples": examples, "no-shrink": True, "database": "none"},
        "phases": {"examples": {"enabled": False}, "stateful": {"enabled": False}},
        "checks": {name: {"enabled": name in CHECKS} for name in (
            *CHECKS, "positive_data_acceptance", "use_after_free", "ensure_resource_availability",
            "object_level_authorization", "allow_header_conformance")},
        "request-timeout": 60,
    })
    schema = schemathesis.openapi.from_url(f"{base_url}/api/openapi.json", config=config, timeout=300)
    requests, statuses, failures, errors = 0, collections.Counter(), [], []
    took = collections.Counter()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            took[event.recorder.label] += event.elapsed_time
            for interaction in event.recorder.interactions.values():
                requests += 1
                if interaction.response is not None:
                    statuses[interaction.response.status_code] += 1
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.status.name == "FAILURE" and check.failure_info is not None:
                        case = event.recorder.cases[case_id].value
                        failures.append(f"{check.name}: {case.method} {case.path} {case.path_parameters or ''} "
                                        f"{case.query or ''} {str(case.body)[:200]} → "
                                        f"{check.failure_info.failure.title}: {check.failure_info.failure.message[:300]}")
        elif isinstance(event, events.NonFatalError):
            errors.append(f"{event.label}: {event.value!r}"[:300])
    print("slowest:", [(k, round(v, 1)) for k, v in took.most_common(6)])
    return requests, statuses, failures, errors


@pytest.mark.parametrize("role", ["city_admin", "district_officer"])
def test_no_server_error_and_no_schema_violation(live_server, tmp_path, role):
    world = build(tmp_path)
    # schemathesis also tries requests without and with a wrong token: do not let them lock its address
    quiet = logging.getLogger("django.request")  # one warning per 4xx otherwise
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        with override_settings(KEQI_TOKEN_FAILURE_LIMIT=1_000_000):
            requests, statuses, failures, errors = run(live_server.url, world.tokens[role])
    finally:
        quiet.setLevel(level)
    print(f"{role}: {requests} requests, statuses {dict(sorted(statuses.items()))}")
    assert requests > 300
    assert not [s for s in statuses if s >= 500]
    assert not failures, "\n".join(failures[:30])
    assert not errors, "\n".join(errors[:10])
