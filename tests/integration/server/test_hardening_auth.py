"""Log-in back-off, refresh-token reuse and idempotency records, on a server with short clocks."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func, select

from homeagent.server.admin import revoke_device
from homeagent.server.models import IdempotencyRecord
from tests.helpers.procs import wait_until
from tests.integration.server.conftest import Server, tuned_server
from tests.integration.server.launch import API, PASSWORD, login

BACKOFF_S = 1.0
IDEMPOTENCY_TTL_S = 1.0


@pytest.fixture(scope="module")
def server(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from tuned_server(
        db_url,
        tmp_path_factory,
        "--login-free-failures", "3",
        "--login-backoff-s", str(BACKOFF_S),
        "--login-backoff-max-s", str(BACKOFF_S),
        "--idempotency-ttl-s", str(IDEMPOTENCY_TTL_S),
    )  # fmt: skip


def _login(server: Server, name: str, password: str, **extra: str) -> httpx.Response:
    body = {"username": name, "password": password, "device_name": "pc", **extra}
    return httpx.post(f"{server.url}{API}/auth/login", json=body, timeout=30)


def _refresh(server: Server, token: str) -> httpx.Response:
    return httpx.post(f"{server.url}{API}/auth/refresh", json={"refresh_token": token})


# -- item 10: per-account back-off, not a lock-out -------------------------------------


def test_unknown_and_known_names_get_the_same_answers(server: Server) -> None:
    answers = {}
    for name in ("locky", "personne-inconnue"):
        answers[name] = [_login(server, name, "mauvais-mot-de-passe").status_code for _ in range(5)]
    assert answers["locky"] == answers["personne-inconnue"] == [401, 401, 401, 429, 429]


def test_the_enrolled_device_logs_in_during_a_back_off(server: Server) -> None:
    first = _login(server, "agent_b1", PASSWORD)
    assert first.status_code == 200
    device_key = first.json()["device_key"]
    for _ in range(4):  # someone else guesses
        _login(server, "agent_b1", "devine-devine")
    assert _login(server, "agent_b1", PASSWORD).status_code == 429  # an unknown device waits
    ok = _login(server, "agent_b1", PASSWORD, device_key=device_key)
    assert ok.status_code == 200, ok.text
    new_key = ok.json()["device_key"]  # the key moves to the fresh device
    assert new_key != device_key
    bad = _login(server, "agent_b1", "devine-encore", device_key=new_key)
    assert bad.status_code == 401  # the key spares the wait, not the password check


def test_the_back_off_ends_by_itself(server: Server) -> None:
    for _ in range(4):
        _login(server, "agent_a2", "faux-mot-de-passe")
    assert _login(server, "agent_a2", PASSWORD).status_code == 429
    wait_until(lambda: _login(server, "agent_a2", PASSWORD).status_code == 200, 5 * BACKOFF_S)


# -- item 9: refresh-token reuse ------------------------------------------------------


def test_a_retry_inside_the_grace_gets_the_same_answer(server: Server) -> None:
    first = _login(server, "agent_a1", PASSWORD).json()
    lost = _refresh(server, first["refresh_token"]).json()  # the device never sees this
    retry = _refresh(server, first["refresh_token"])
    assert retry.status_code == 200
    assert retry.json()["refresh_token"] == lost["refresh_token"]  # whoever got it goes on
    assert _refresh(server, lost["refresh_token"]).status_code == 200


def test_reuse_beyond_one_retry_revokes_the_family_and_is_audited(server: Server) -> None:
    first = _login(server, "agent_a1", PASSWORD).json()
    second = _refresh(server, first["refresh_token"]).json()
    assert _refresh(server, first["refresh_token"]).status_code == 200  # one retry
    reuse = _refresh(server, first["refresh_token"])  # a second party holds the token
    assert reuse.status_code == 401
    assert _refresh(server, second["refresh_token"]).status_code == 401  # family revoked
    me = httpx.get(
        f"{server.url}{API}/me", headers={"Authorization": f"Bearer {second['access_token']}"}
    )
    assert me.json()["error"]["code"] == "device_revoked"
    assert server.log is not None
    log = wait_until(
        lambda: (t := server.log.read_text()) and first["device_id"] in t and t,
        5,  # type: ignore[union-attr]
    )
    assert "refresh_token_reuse" in str(log)
    assert first["refresh_token"] not in str(log)
    assert second["refresh_token"] not in str(log)


def test_an_older_rotated_token_revokes_the_family(server: Server) -> None:
    t1 = _login(server, "agent_a2", PASSWORD).json()
    t2 = _refresh(server, t1["refresh_token"]).json()
    t3 = _refresh(server, t2["refresh_token"]).json()
    assert _refresh(server, t1["refresh_token"]).status_code == 401
    assert _refresh(server, t3["refresh_token"]).status_code == 401


# -- item 8: idempotency records ------------------------------------------------------


def _count_records(server: Server, key: str) -> int:
    with server.db.read() as s:
        return int(s.scalar(select(func.count()).where(IdempotencyRecord.key == key)) or 0)


def test_auth_answers_are_never_stored(server: Server) -> None:
    s = login(server.url, "lead_a")
    key = str(uuid.uuid4())
    body = {"refresh_token": s.tokens["refresh_token"]}
    r = s.client.post("/auth/refresh", json=body, headers={"Idempotency-Key": key})
    assert r.status_code == 200
    assert _count_records(server, key) == 0
    again = s.client.post("/auth/refresh", json=body, headers={"Idempotency-Key": key})
    assert "idempotent-replayed" not in again.headers
    s.close()


def test_a_revoked_device_cannot_replay_a_stored_answer(server: Server) -> None:
    s = login(server.url, "lead_b")
    key = str(uuid.uuid4())
    contact = {"last_name": "Rejeu"}
    assert (
        s.client.post("/contacts", json=contact, headers={"Idempotency-Key": key}).status_code
        == 201
    )
    revoke_device(server.db, s.device_id)
    r = s.client.post("/contacts", json=contact, headers={"Idempotency-Key": key})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "device_revoked"
    s.close()


def test_idempotency_records_expire(server: Server) -> None:
    s = login(server.url, "admin")
    key = str(uuid.uuid4())
    first = s.client.post("/contacts", json={"last_name": "Un"}, headers={"Idempotency-Key": key})
    assert first.status_code == 201
    time.sleep(IDEMPOTENCY_TTL_S + 0.2)
    later = s.client.post("/contacts", json={"last_name": "Deux"}, headers={"Idempotency-Key": key})
    assert later.status_code == 201, later.text  # expired: a new request, not a conflict
    assert later.json()["last_name"] == "Deux"
    s.close()
