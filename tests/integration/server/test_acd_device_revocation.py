"""Revoking a device, completed: the real ACD Kamailio refuses its REGISTER (403).

Two devices of one user register with their own SIP credentials (POST
/provisioning/sip); the user's second device and another user register too. Device A is
revoked the way IT does it (`homeagent-server revoke-device`): within Kamailio's
credential cache time (SIPCRED_CACHE_S, short here) its REGISTER gets 403, while device B
keeps registering (each re-REGISTER answered 200). A device's credential never registers
another user's address, before or after revocation. The revoked device's binding, which
it cannot refresh, is gone once it expires (REG_MAX_EXPIRES_S, short here): a call to
the user then rings device B only.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from homeagent.server.admin import create_user
from tests.helpers.acd_kamailio import AcdKamailio, running_acd_kamailio, sip_request
from tests.helpers.procs import free_port
from tests.integration.server.conftest import Server
from tests.integration.server.launch import PASSWORD, SERVER_ENV
from tests.integration.server.test_acd_kamailio import Credential, provisioned, register_as

CACHE_S = 2  # the cfg's SIPCRED_CACHE_S for this test (production: 30)
BINDING_S = 4  # the cfg's REG_MAX_EXPIRES_S for this test (production: 120)


@pytest.fixture(scope="module")
def users(server: Server) -> dict[str, str]:
    return {
        name: create_user(server.db, name, PASSWORD, "agent", "Équipe Révocation")
        for name in ("revoke_1001", "revoke_1002")
    }


@pytest.fixture
def kamailio(server: Server, tmp_path: Path) -> Iterator[AcdKamailio]:
    token = server.db.settings()["acd_token"]
    defines = (f"REG_MAX_EXPIRES_S={BINDING_S}", "REG_MIN_EXPIRES_S=1", "GATEWAY_DIRECT")
    with running_acd_kamailio(
        server.url, token, tmp_path, sipcred_cache_s=CACHE_S, defines=defines
    ) as kam:
        yield kam


def _rung(kam: AcdKamailio, aor_user: str, phones: dict[str, socket.socket]) -> set[str]:
    """Which of `phones` (bound UDP sockets, the devices' contacts) an INVITE to
    `aor_user` from the gateway reaches (GATEWAY_DIRECT: no digest needed)."""
    for phone in phones.values():  # forget what an earlier call left
        phone.settimeout(0)
        with contextlib.suppress(BlockingIOError):
            while phone.recv(65535):
                pass
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as caller:
        caller.bind(("127.0.0.1", 0))
        ruri = f"sip:{aor_user}@127.0.0.1:{kam.port}"
        invite = sip_request("INVITE", "0612345678", kam.port, caller.getsockname()[1], ruri=ruri)
        caller.sendto(invite, ("127.0.0.1", kam.port))
        time.sleep(0.5)
    reached = set()
    for name, phone in phones.items():
        phone.settimeout(0)
        try:
            if phone.recv(65535).startswith(b"INVITE "):
                reached.add(name)
        except BlockingIOError:
            pass
    return reached


def _revoke(server: Server, device_id: str) -> None:
    """`homeagent-server revoke-device --db … <device_id>`, as in docs/operations.md."""
    argv = [sys.executable, "-m", "homeagent.server.cli", "revoke-device", "--db", server.db_url]
    done = subprocess.run(
        [*argv, device_id], env=SERVER_ENV, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr


def test_a_revoked_device_gets_403_within_the_cache_time_and_the_other_keeps_registering(
    server: Server, users: dict[str, str], kamailio: AcdKamailio
) -> None:
    a = server.login("revoke_1001", "pc-a")
    b = server.login("revoke_1001", "pc-b")
    other = server.login("revoke_1002", "pc-c")
    phones = {name: socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for name in "ab"}
    try:
        ca, cb, cother = provisioned(a), provisioned(b), provisioned(other)
        assert ca.user == cb.user == "revoke_1001"
        assert ca.auth_user != cb.auth_user
        for phone in phones.values():
            phone.bind(("127.0.0.1", 0))
        port_a, port_b = (phones[n].getsockname()[1] for n in "ab")
        assert register_as(kamailio, ca, port_a) == 200
        assert register_as(kamailio, cb, port_b) == 200
        assert register_as(kamailio, cother, free_port(socket.SOCK_DGRAM)) == 200
        # a device acts for its own user only, even with a valid digest
        assert register_as(kamailio, ca, port_a, user="revoke_1002") == 403
        # the user-wide name with device A's secret is no identity either
        bare = Credential(ca.user, ca.user, ca.secret, ca.domain)
        assert register_as(kamailio, bare, port_a) == 403

        assert register_as(kamailio, ca, port_a) == 200  # cached now: up to CACHE_S more
        assert register_as(kamailio, cb, port_b) == 200
        assert _rung(kamailio, "revoke_1001", phones) == {"a", "b"}  # both devices ring
        last_a_register = time.monotonic()
        _revoke(server, a.device_id)
        revoked_at = time.monotonic()
        codes_a: list[int] = []
        while time.monotonic() - revoked_at < CACHE_S + 3:
            codes_a.append(register_as(kamailio, ca, port_a))
            if codes_a[-1] == 200:  # still cached: this refreshed A's binding
                last_a_register = time.monotonic()
            assert register_as(kamailio, cb, port_b) == 200, "device B lost its registration"
            if codes_a[-1] == 403:
                break
            time.sleep(0.2)
        refused_after_s = time.monotonic() - revoked_at
        assert codes_a[-1] == 403, f"device A still registers after revocation: {codes_a}"
        assert set(codes_a) <= {200, 403}
        # htable reads check the expiry with a one-second clock: CACHE_S + 1 at most
        assert refused_after_s <= CACHE_S + 1.5, refused_after_s
        # ... and stays refused, as itself or as anybody else; B keeps registering
        time.sleep(0.3)
        assert register_as(kamailio, ca, port_a) == 403
        assert register_as(kamailio, ca, port_a, user="revoke_1002") == 403
        for _ in range(3):
            assert register_as(kamailio, cb, port_b) == 200
        assert register_as(kamailio, cother, free_port(socket.SOCK_DGRAM)) == 200
        # A's last binding expires (it cannot refresh it): calls ring B only; B refreshes
        while time.monotonic() - last_a_register < BINDING_S + 1.5:
            assert register_as(kamailio, cb, port_b) == 200
            time.sleep(0.5)
        assert _rung(kamailio, "revoke_1001", phones) == {"b"}
    finally:
        for s in (a, b, other):
            s.close()
        for phone in phones.values():
            phone.close()
    log = kamailio.log.read_text()
    assert "revoked SIP device" in log  # the refusal is logged with the device's name
    for secret in (ca.secret, cb.secret, cother.secret):
        assert secret not in log
