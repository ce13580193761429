"""Property-based tests from the served OpenAPI: no 5xx, responses match the schema.

Bounded for CI (a few examples per operation, positive and negative data), as an admin
(widest read access) and without a token, against the real server on SQLite and on
PostgreSQL. Operations are driven one by one with Hypothesis (schemathesis' pytest
plugin does not load under pytest 9 here).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.integration.server.conftest import Server
from tests.integration.server.launch import API

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    status_code_conformance,
]
SKIPPED = {f"{API}/events", f"{API}/auth/logout"}  # endless stream; would revoke our token
MAX_EXAMPLES = {GenerationMode.POSITIVE: 10, GenerationMode.NEGATIVE: 6}


@schemathesis.serializer("application/zip")
def _zip(_ctx: Any, value: Any) -> bytes:
    """A diagnostics bundle's body (POST /agents/me/diagnostics): whatever bytes were made."""
    return value if isinstance(value, bytes) else str(value).encode()


def _run_all(
    server: Server,
    mode: GenerationMode,
    headers: dict[str, str],
    only: tuple[str, ...] = (),
    at_least: int = 25,
) -> list[str]:
    schema = schemathesis.openapi.from_url(f"{server.url}{API}/openapi.json")
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in SKIPPED or (only and operation.path not in only):
            continue
        operations += 1

        run = _runner(server, operation, mode, headers)
        try:
            run()
        except Unsatisfiable:
            pass  # negative mode: this operation has no input that can be made invalid
        except Exception as exc:
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:2000])
    assert operations >= at_least
    return failures


def _runner(
    server: Server, operation: Any, mode: GenerationMode, headers: dict[str, str]
) -> Callable[[], None]:
    @settings(
        max_examples=MAX_EXAMPLES[mode],
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(base_url=server.url, headers=headers, checks=CHECKS, timeout=30)

    return run  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def admin_headers(server: Server) -> dict[str, str]:
    s = server.login("admin", device="schemathesis")
    s.close()
    return {"Authorization": f"Bearer {s.tokens['access_token']}"}


# Valid inputs reach the database: both backends. Invalid ones stop at validation, and the
# anonymous wall at authentication, before any query: PostgreSQL (real deployments) only.
BACKENDS_AND_MODES = pytest.mark.parametrize(
    ("db_url", "mode"),
    [
        ("sqlite", GenerationMode.POSITIVE),
        ("postgresql", GenerationMode.POSITIVE),
        ("postgresql", GenerationMode.NEGATIVE),
    ],
    indirect=["db_url"],
)


@BACKENDS_AND_MODES
def test_openapi_as_admin(
    server: Server, admin_headers: dict[str, str], mode: GenerationMode
) -> None:
    failures = _run_all(server, mode, admin_headers)
    assert failures == [], "\n\n".join(failures)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_openapi_without_token(server: Server) -> None:
    failures = _run_all(server, GenerationMode.POSITIVE, {})
    assert failures == [], "\n\n".join(failures)


# Routes only an agent may use: as the admin above they answer 403 and nothing else.
AGENT_ONLY = tuple(
    f"{API}{p}"
    for p in (
        "/agents/me/call-quality",
        "/messages/to-lead",
        "/slots/{slot_id}/booking",
        "/agents/me/network-check",
    )
)


@BACKENDS_AND_MODES
def test_openapi_of_the_agent_routes_as_an_agent(server: Server, mode: GenerationMode) -> None:
    s = server.login("agent_b1", device=f"schemathesis-{mode.value}")
    s.close()
    headers = {"Authorization": f"Bearer {s.tokens['access_token']}"}
    failures = _run_all(server, mode, headers, only=AGENT_ONLY, at_least=len(AGENT_ONLY))
    assert failures == [], "\n\n".join(failures)
