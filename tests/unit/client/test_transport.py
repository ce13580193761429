"""ApiTransport against a scripted local HTTP server: retries, token renewal, error shapes.

The transport is driven through ServerClient (its subclass) with the scripted server of
test_server_client."""

from __future__ import annotations

import pytest

from homeagent.client.errors import (
    AuthenticationFailed,
    DeviceRevoked,
    ServerFailed,
    ServerUnreachable,
)
from homeagent.client.server import ServerClient
from tests.unit.client.test_server_client import Script, Tokens, err, make, script, tokens_body

__all__ = ["script"]  # the fixture, imported for pytest


def test_login_keeps_tokens_out_of_the_answer(script: tuple[Script, str]) -> None:
    sc, url = script
    sc.on("POST", "/auth/login", (200, {**tokens_body(1), "device_id": "d1", "user": {}}))
    tokens = Tokens(None)
    client = make(url, tokens)
    answer = client.login("alice", "pw", "pc")
    assert "access_token" not in answer
    assert "refresh_token" not in answer
    assert tokens.token == "r1"
    assert client.device_id == "d1"
    client.close()


def test_post_without_key_is_not_retried(script: tuple[Script, str]) -> None:
    sc, url = script
    sc.on("POST", "/auth/refresh", (200, tokens_body(1)))
    sc.on("POST", "/notes", (503, err("unavailable")))
    client = make(url)
    with pytest.raises(ServerUnreachable):
        client.post("/notes", {"id": "n"})
    assert sc.count("POST", "/notes") == 1
    client.close()


def test_keyed_post_and_get_are_retried(script: tuple[Script, str]) -> None:
    sc, url = script
    sc.on("POST", "/auth/refresh", (200, tokens_body(1)))
    sc.on("POST", "/notes", (503, err("unavailable")), (502, {}), (201, {"ok": True}))
    sc.on("GET", "/me", (429, err("slow_down")), (200, {"user": {}}))
    client = make(url)
    assert client.post("/notes", {"id": "n"}, idempotency_key="k1") == {"ok": True}
    assert sc.count("POST", "/notes") == 3
    keys = {h.get("Idempotency-Key") for m, p, h, _ in sc.seen if p == "/notes"}
    assert keys == {"k1"}
    assert client.me() == {"user": {}}
    client.close()


def test_retries_are_bounded(script: tuple[Script, str]) -> None:
    sc, url = script
    sc.on("POST", "/auth/refresh", (200, tokens_body(1)))
    sc.on("GET", "/me", (503, err("unavailable")))
    client = make(url)
    with pytest.raises(ServerUnreachable):
        client.me()
    assert sc.count("GET", "/me") == client.max_attempts
    client.close()


def test_token_expired_refreshes_once_and_rotates(script: tuple[Script, str]) -> None:
    sc, url = script
    sc.on("POST", "/auth/refresh", (200, tokens_body(1)), (200, tokens_body(2)))
    sc.on("GET", "/me", (200, {"n": 1}), (401, err("token_expired")), (200, {"n": 2}))
    tokens = Tokens("r0")
    client = make(url, tokens)
    assert client.me() == {"n": 1}
    assert client.me() == {"n": 2}
    assert tokens.token == "r2"
    auths = [h.get("Authorization") for m, p, h, _ in sc.seen if p == "/me"]
    assert auths == ["Bearer a1", "Bearer a1", "Bearer a2"]
    refresh_bodies = [b for m, p, _, b in sc.seen if p == "/auth/refresh"]
    assert refresh_bodies == [{"refresh_token": "r0"}, {"refresh_token": "r1"}]
    client.close()


def test_device_revoked_notifies_and_sticks(script: tuple[Script, str]) -> None:
    sc, url = script
    sc.on("POST", "/auth/refresh", (200, tokens_body(1)))
    sc.on("GET", "/me", (401, err("device_revoked")))
    client = make(url)
    told: list[bool] = []
    client.on_revoked(lambda: told.append(True))
    with pytest.raises(DeviceRevoked):
        client.me()
    assert told == [True]
    with pytest.raises(DeviceRevoked):
        client.me()
    assert sc.count("GET", "/me") == 1  # no further request once revoked
    client.close()


def test_refresh_refused(script: tuple[Script, str]) -> None:
    sc, url = script
    sc.on("POST", "/auth/refresh", (401, err("bad_refresh_token")))
    client = make(url)
    with pytest.raises(AuthenticationFailed, match="bad_refresh_token"):
        client.me()
    client.close()


def test_a_server_that_answers_5xx_is_told_apart_from_no_answer(
    script: tuple[Script, str],
) -> None:
    """The outbox goes on past one entry the server fails (5xx) but stops when nothing
    answers: the 5xx error carries the status and the server's code, and is still a
    `ServerUnreachable` for the callers that only need "offline"."""
    sc, url = script
    sc.on("POST", "/auth/refresh", (200, tokens_body(1)))
    sc.on("POST", "/notes", (500, err("internal")))
    client = make(url)
    with pytest.raises(ServerFailed) as info:
        client.post("/notes", {"id": "n"}, idempotency_key="k")
    assert isinstance(info.value, ServerUnreachable)
    assert (info.value.status, info.value.code) == (500, "internal")
    client.close()


def test_unreachable_server(script: tuple[Script, str]) -> None:
    from tests.helpers.procs import free_port

    client = make(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(ServerUnreachable):
        client.login("a", "b", "c")
    client.close()


def test_error_text_drops_query_strings() -> None:
    from homeagent.client.transport import _short

    exc = ConnectionError(
        "HTTPSConnectionPool(host='x', port=1): Max retries exceeded with url: "
        "/api/v1/contacts/lookup?number=%2B33612345678 (Caused by …)"
    )
    assert "33612345678" not in _short(exc)
    assert "/api/v1/contacts/lookup?…" in _short(exc)


def test_access_token_is_refreshed_before_it_expires(script: tuple[Script, str]) -> None:
    """No request is spent on a 401: the token is renewed shortly before its expiry."""
    sc, url = script
    sc.on("POST", "/auth/refresh", (200, tokens_body(1)), (200, tokens_body(2)))
    sc.on("GET", "/me", (200, {"ok": True}))
    now = [1000.0]
    client = ServerClient(url, Tokens("r0"), backoff_s=0.01, clock=lambda: now[0])
    client.me()  # first token, valid 900 s
    now[0] += 800.0  # still valid, outside the renewal margin
    client.me()
    assert sc.count("POST", "/auth/refresh") == 1
    now[0] += 80.0  # 20 s before expiry: renewed first
    client.me()
    assert sc.count("POST", "/auth/refresh") == 2
    auths = [h.get("Authorization") for _, p, h, _ in sc.seen if p == "/me"]
    assert auths == ["Bearer a1", "Bearer a1", "Bearer a2"]
    client.close()
