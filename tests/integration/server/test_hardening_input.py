"""Hostile input at the edge: out-of-range integers, odd digits, NUL bytes, field sizes."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.integration.server.conftest import Server
from tests.integration.server.launch import Session

TOO_BIG = str(2**63)  # one past the largest 64-bit id


@pytest.fixture(scope="module")
def agent(server: Server) -> Iterator[Session]:
    s = server.login("agent_a1")
    yield s
    s.close()


def _invalid(r: httpx.Response) -> None:
    assert r.status_code == 422, r.text
    assert set(r.json()["error"]) == {"code", "message"}


@pytest.mark.parametrize(
    ("method", "path", "params"),
    [
        ("GET", "/messages", {"after_id": TOO_BIG}),
        ("GET", "/help-requests", {"after_id": TOO_BIG}),
        ("GET", "/sync/contacts", {"cursor": TOO_BIG}),
        ("GET", "/events", {"last_event_id": TOO_BIG}),
        ("POST", f"/messages/{TOO_BIG}/read", {}),
    ],
)
def test_integers_past_64_bits_are_422_not_500(
    agent: Session, method: str, path: str, params: dict[str, str]
) -> None:
    _invalid(agent.client.request(method, path, params=params))
    # the connection survived: the same client still gets answers
    assert agent.client.get("/me").status_code == 200


def test_last_event_id_header_past_64_bits_is_422(agent: Session) -> None:
    _invalid(agent.client.get("/events", headers={"Last-Event-ID": TOO_BIG}))
