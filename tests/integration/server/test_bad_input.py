"""Broken JSON, huge bodies, wrong types, unknown fields: 4xx with the documented shape."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.integration.server.conftest import Server
from tests.integration.server.launch import API, Session


@pytest.fixture(scope="module")
def agent(server: Server) -> Iterator[Session]:
    s = server.login("agent_a1")
    yield s
    s.close()


def _error(r: httpx.Response, status: int) -> dict[str, str]:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert set(err) == {"code", "message"}
    assert err["message"]
    return dict(err)


def test_broken_json(agent: Session) -> None:
    r = agent.client.post(
        "/contacts", content=b'{"last_name": "x"', headers={"Content-Type": "application/json"}
    )
    err = _error(r, 422)
    assert err["code"] == "invalid_input"
    assert "JSON" in err["message"]


def test_huge_body_is_413_with_or_without_length(agent: Session, server: Server) -> None:
    big = b'{"last_name": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    r = agent.client.post("/contacts", content=big, headers={"Content-Type": "application/json"})
    assert _error(r, 413)["code"] == "body_too_large"

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(big), 65536):
            yield big[i : i + 65536]

    r = agent.client.post(
        "/contacts", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert _error(r, 413)["code"] == "body_too_large"


@pytest.mark.parametrize(
    ("path", "body", "where"),
    [
        ("/contacts", {"last_name": 12}, "last_name"),
        ("/contacts", {"phones": "+33612345678"}, "phones"),
        ("/contacts", {"unknown_field": 1}, "unknown_field"),
        ("/notes", {"id": "not-a-uuid", "contact_id": "x", "text": "a"}, "id"),
        ("/messages/abc/read", None, "message_id"),
    ],
)
def test_wrong_types_name_the_field(agent: Session, path: str, body: object, where: str) -> None:
    r = agent.client.post(path, json=body)
    err = _error(r, 422)
    assert where in err["message"]


def test_wrong_query_types(agent: Session) -> None:
    assert (
        "limit" in _error(agent.client.get("/contacts", params={"limit": "many"}), 422)["message"]
    )
    assert (
        "day"
        in _error(
            agent.client.get(f"/figures/agents/{agent.user_id}", params={"day": "hier"}), 422
        )["message"]
    )
    assert (
        _error(agent.client.get("/events", headers={"Last-Event-ID": "x"}), 400)["code"]
        == "bad_last_event_id"
    )


def test_unknown_path_and_method(agent: Session, server: Server) -> None:
    assert _error(agent.client.get("/nowhere"), 404)["code"] == "not_found"
    assert _error(agent.client.delete("/me"), 405)["code"] == "method_not_allowed"
    r = httpx.post(
        f"{server.url}{API}/auth/login",
        content=b"\xff\xfe",
        headers={"Content-Type": "application/json"},
    )
    assert 400 <= r.status_code < 500
