"""Login, lock-out, refresh rotation, logout and device revocation against the real server."""

from __future__ import annotations

import httpx

from homeagent.server.admin import revoke_device
from tests.integration.server.conftest import Server
from tests.integration.server.launch import API, PASSWORD


def _login(server: Server, name: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{server.url}{API}/auth/login",
        json={"username": name, "password": password, "device_name": "pc"},
    )


def test_login_gives_tokens_and_user(server: Server) -> None:
    r = _login(server, "agent_a1", PASSWORD)
    assert r.status_code == 200
    body = r.json()
    assert body["user"]["role"] == "agent"
    assert body["user"]["team_id"] == server.org.team_a
    assert body["expires_in_s"] > 0
    assert body["refresh_token"]
    assert body["device_id"]


def test_wrong_password_and_unknown_user_are_the_same_401(server: Server) -> None:
    for name, pw in (("agent_a1", "wrong-password"), ("nobody", "whatever-pw")):
        r = _login(server, name, pw)
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "bad_credentials"


def test_lock_out_after_five_failures(server: Server) -> None:
    for _ in range(5):
        assert _login(server, "locky", "bad-password").status_code == 401
    r = _login(server, "locky", PASSWORD)  # even the right password is refused now
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "locked_out"


def _refresh(server: Server, token: str) -> httpx.Response:
    return httpx.post(f"{server.url}{API}/auth/refresh", json={"refresh_token": token})


def test_refresh_rotates_and_an_old_refresh_token_revokes_the_device(server: Server) -> None:
    first = _login(server, "agent_a2", PASSWORD).json()
    r = _refresh(server, first["refresh_token"])
    assert r.status_code == 200
    second = r.json()
    assert second["device_id"] == first["device_id"]
    assert second["refresh_token"] != first["refresh_token"]
    third = _refresh(server, second["refresh_token"]).json()
    me = httpx.get(
        f"{server.url}{API}/me", headers={"Authorization": f"Bearer {third['access_token']}"}
    )
    assert me.status_code == 200
    # two rotations later the first token is reuse: the whole device is revoked
    assert _refresh(server, first["refresh_token"]).status_code == 401
    me = httpx.get(
        f"{server.url}{API}/me", headers={"Authorization": f"Bearer {third['access_token']}"}
    )
    assert me.json()["error"]["code"] == "device_revoked"


def test_a_lost_refresh_answer_is_not_fatal_but_the_old_token_works_once(server: Server) -> None:
    first = _login(server, "agent_a2", PASSWORD).json()
    lost = _refresh(server, first["refresh_token"]).json()  # the device never sees this
    retry = _refresh(server, first["refresh_token"])  # the device retries with what it has
    assert retry.status_code == 200
    assert retry.json()["device_id"] == first["device_id"]
    assert retry.json()["refresh_token"] == lost["refresh_token"]  # the same answer again
    nxt = _refresh(server, retry.json()["refresh_token"])
    assert nxt.status_code == 200
    assert _refresh(server, nxt.json()["refresh_token"]).status_code == 200


def test_logout_kills_the_access_token(server: Server) -> None:
    s = server.login("agent_a2")
    assert s.client.post("/auth/logout").status_code == 200
    r = s.client.get("/me")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "device_revoked"


def test_revoked_device_fails_at_once_other_device_still_works(server: Server) -> None:
    laptop, desktop = server.login("agent_b1", "laptop"), server.login("agent_b1", "desktop")
    assert laptop.client.get("/me").status_code == 200
    revoke_device(server.db, laptop.device_id)
    r = laptop.client.get("/me")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "device_revoked"
    refresh = httpx.post(
        f"{server.url}{API}/auth/refresh", json={"refresh_token": laptop.tokens["refresh_token"]}
    )
    assert refresh.status_code == 401
    assert desktop.client.get("/me").status_code == 200


def test_forged_and_missing_tokens_are_refused(server: Server) -> None:
    s = server.login("agent_a1")
    token = s.tokens["access_token"]
    body, sig = token.split(".")
    forged = f"{body[:-2]}xx.{sig}"
    for headers in ({}, {"Authorization": f"Bearer {forged}"}, {"Authorization": "Basic abc"}):
        r = httpx.get(f"{server.url}{API}/me", headers=headers)
        assert r.status_code == 401
        assert set(r.json()["error"]) == {"code", "message"}


def test_me_and_provisioning(server: Server) -> None:
    s = server.login("agent_a1")
    me = s.client.get("/me").json()
    assert me["team"]["pause_reasons"] == ["Déjeuner", "Pause café", "Formation", "Réunion"]
    assert {d["code"] for d in me["team"]["dispositions"]} >= {"resolved", "callback"}
    sip = s.client.post("/provisioning/sip").json()  # this device's own SIP credential
    assert sip["username"] == "agent_a1"
    assert sip["auth_username"].startswith("agent_a1.")
    assert len(sip["password"]) >= 16
    assert s.client.get("/provisioning/sip").json()["auth_username"] == sip["auth_username"]
    assert sip["registrar_port"] == 5061
    assert (sip["transport"], sip["srtp"]) == ("tls", "mandatory")  # secure by default
