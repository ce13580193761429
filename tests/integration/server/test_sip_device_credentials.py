"""Each device's own SIP credential, issued by the real server, and the ACD hook's rules.

POST /provisioning/sip issues the calling device a digest identity (its own user name and
secret, shown once); GET gives the settings without any secret. The ACD hook
(/acd/sip-credential) answers `<HA1> <AOR user>` only for an active device of an active
user: a revoked or logged-out device, a disabled user, a replaced credential, another
user's name — 404, which Kamailio turns into 403. Secrets stay out of the server's log.
"""

from __future__ import annotations

import hashlib

import httpx
import pytest

from homeagent.server.admin import create_user, revoke_device
from homeagent.server.models import User
from tests.integration.server.conftest import Server
from tests.integration.server.launch import API, PASSWORD, Session


@pytest.fixture(scope="module")
def users(server: Server) -> dict[str, str]:
    return {
        name: create_user(server.db, name, PASSWORD, "agent", "Équipe SIP")
        for name in ("sipdev_one", "sipdev_two", "sipdev_gone")
    }


def _hook(server: Server, auth_user: str) -> httpx.Response:
    token = server.db.settings()["acd_token"]
    return httpx.get(
        f"{server.url}{API}/acd/sip-credential", params={"user": auth_user}, auth=("acd", token)
    )


def _issue(session: Session) -> dict[str, str]:
    r = session.client.post("/provisioning/sip")
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    return dict(r.json())


def test_each_device_has_its_own_credential_and_revocation_ends_only_its_own(
    server: Server, users: dict[str, str]
) -> None:
    a, b = server.login("sipdev_one", "pc-a"), server.login("sipdev_one", "pc-b")
    try:
        ca, cb = _issue(a), _issue(b)
        assert ca["username"] == cb["username"] == "sipdev_one"  # one AOR: calls reach the user
        assert ca["auth_username"] != cb["auth_username"]
        assert ca["password"] != cb["password"]
        assert ca["realm"] == ca["domain"] == server.db.settings()["sip_domain"]
        # GET: the settings and the device's digest user name, never a secret
        got = a.client.get("/provisioning/sip")
        assert got.status_code == 200
        assert got.headers["cache-control"] == "no-store"
        assert got.json()["auth_username"] == ca["auth_username"]
        assert "password" not in got.json()
        assert ca["password"] not in got.text
        for cred in (ca, cb):
            r = _hook(server, cred["auth_username"])
            assert r.status_code == 200
            assert r.headers["cache-control"] == "no-store"
            ha1 = hashlib.md5(
                f"{cred['auth_username']}:{cred['realm']}:{cred['password']}".encode()
            ).hexdigest()
            assert r.text == f"{ha1} sipdev_one"
            assert cred["password"] not in r.text
        # the AOR user name authenticates nothing: only devices have digest identities
        assert _hook(server, "sipdev_one").status_code == 404
        # revoking device A (the CLI's revoke-device): its credential is gone, B's stays
        revoke_device(server.db, a.tokens["device_id"])
        gone = _hook(server, ca["auth_username"])
        assert gone.status_code == 404
        assert gone.json()["error"]["code"] == "no_such_user"
        assert _hook(server, cb["auth_username"]).status_code == 200
        # a revoked device cannot get a new credential either
        assert a.client.post("/provisioning/sip").status_code == 401
        assert a.client.get("/provisioning/sip").status_code == 401
    finally:
        a.close()
        b.close()
    log = server.log.read_text() if server.log is not None else ""
    for secret in (ca["password"], cb["password"]):
        assert secret not in log


def test_a_new_credential_replaces_the_old_and_logout_ends_it(
    server: Server, users: dict[str, str]
) -> None:
    s = server.login("sipdev_two")
    try:
        first, second = _issue(s), _issue(s)
        assert first["auth_username"] != second["auth_username"]
        assert _hook(server, first["auth_username"]).status_code == 404  # replaced
        assert _hook(server, second["auth_username"]).status_code == 200
        assert s.client.post("/auth/logout").status_code == 200
        assert _hook(server, second["auth_username"]).status_code == 404
    finally:
        s.close()


def test_a_disabled_user_has_no_live_credential(server: Server, users: dict[str, str]) -> None:
    s = server.login("sipdev_gone")
    try:
        cred = _issue(s)
        assert _hook(server, cred["auth_username"]).status_code == 200
        with server.db.write() as db:
            user = db.get(User, users["sipdev_gone"])
            assert user is not None
            user.active = False
        assert _hook(server, cred["auth_username"]).status_code == 404
    finally:
        with server.db.write() as db:
            user = db.get(User, users["sipdev_gone"])
            assert user is not None
            user.active = True
        s.close()


def test_credentials_need_a_device_token(server: Server) -> None:
    assert httpx.post(f"{server.url}{API}/provisioning/sip").status_code == 401
    assert httpx.get(f"{server.url}{API}/provisioning/sip").status_code == 401
