"""ACD with a real Kamailio (deploy/kamailio/acd) asking the real server who gets a call.

Agents authenticate to Kamailio with digest, using the SIP credential the server issues to
their device (POST /provisioning/sip); Kamailio fetches its HA1 through the ACD hook.
Three agent endpoints register: two Available (sipp UAS: one never answers, one answers)
and one on Break (a bare UDP socket that must never see an INVITE). A sipp customer calls
the queue: the longest-idle Available agent rings, rings out after the queue's RONA time
(Not ready, missed), and the call moves on to the next Available agent who answers.
A wrong password is refused (403 after the challenge); a queue call from an address that
is not the gateway's is challenged; the credential endpoint takes only the ACD token.
"""

from __future__ import annotations

import contextlib
import hashlib
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from homeagent.server.admin import create_user, ensure_queue, ensure_team
from homeagent.server.models import AgentStatus
from tests.helpers.acd_kamailio import AcdKamailio, register, running_acd_kamailio, sip_request
from tests.helpers.procs import free_port, require_tool, running
from tests.integration.server.conftest import Server
from tests.integration.server.launch import API, PASSWORD, Session

SCENARIOS = Path(__file__).parent / "sipp"
RONA_S = 2
Kamailio = AcdKamailio  # the launcher lives in tests/helpers/acd_kamailio.py (shared with e2e)
_request = sip_request


@pytest.fixture(scope="module")
def acd_team(server: Server) -> dict[str, str]:
    team = ensure_team(server.db, "Équipe ACD")
    ensure_queue(server.db, "file-acd", team, rona_s=RONA_S, max_wait_s=0)  # 480 at once
    return {
        name: create_user(server.db, name, PASSWORD, "agent", "Équipe ACD")
        for name in ("acd_first", "acd_second", "acd_break")
    }


@pytest.fixture
def kamailio(server: Server, tmp_path: Path) -> Iterator[Kamailio]:
    with running_acd_kamailio(server.url, server.db.settings()["acd_token"], tmp_path) as kam:
        yield kam


@dataclass(frozen=True)
class Credential:
    """A device's SIP identity as the server issued it (POST /provisioning/sip)."""

    user: str  # the AOR user
    auth_user: str  # the device's digest user name
    secret: str = field(repr=False)
    domain: str = "homeagent.local"


def provisioned(session: Session) -> Credential:
    """The SIP credential the server issues to this session's device."""
    r = session.client.post("/provisioning/sip")
    assert r.status_code == 200, r.text
    body = r.json()
    return Credential(body["username"], body["auth_username"], body["password"], body["domain"])


def register_as(kam: Kamailio, cred: Credential, contact_port: int, user: str = "") -> int:
    """REGISTER `user` (default: the credential's own AOR) with the device's credential."""
    return register(
        kam.port, user or cred.user, cred.secret, contact_port,
        auth_user=cred.auth_user, domain=cred.domain,
    )  # fmt: skip


def register_agent(kam: Kamailio, session: Session, contact_port: int) -> None:
    """REGISTER the agent (digest, its device's credential) with a contact on `contact_port`."""
    cred = provisioned(session)
    assert register_as(kam, cred, contact_port) == 200, f"{cred.user} not registered"


@contextlib.contextmanager
def sipp_uas(scenario: str, port: int, log_dir: Path) -> Iterator[subprocess.Popen[bytes]]:
    argv = [
        require_tool("sipp"), "-sf", str(SCENARIOS / scenario), "-i", "127.0.0.1",
        "-p", str(port), "-m", "1", "-timeout", "40s", "-timeout_error", "-nostdin",
        "-trace_err", "-error_file", str(log_dir / f"{scenario}.err"),
    ]  # fmt: skip
    with running(argv, log=log_dir / f"{scenario}.log", cwd=log_dir) as proc:
        yield proc


def call_queue(kam: Kamailio, scenario: str, queue: str, log_dir: Path) -> int:
    argv = [
        require_tool("sipp"), f"127.0.0.1:{kam.port}", "-sf", str(SCENARIOS / scenario),
        "-s", f"queue-{queue}", "-i", "127.0.0.1", "-p", str(free_port(socket.SOCK_DGRAM)),
        "-m", "1", "-timeout", "40s", "-timeout_error", "-nostdin", "-trace_err",
        "-error_file", str(log_dir / f"customer-{scenario}.err"),
    ]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, timeout=60, cwd=log_dir, check=False)
    return done.returncode


def _states(server: Server, ids: dict[str, str]) -> dict[str, tuple[str, str]]:
    with server.db.read() as s:
        rows = {r.agent_id: r for r in s.query(AgentStatus)}
    return {name: (rows[i].state, rows[i].reason) for name, i in ids.items()}


def test_rona_moves_the_call_to_the_next_agent_then_nobody_left_gives_480(
    server: Server, acd_team: dict[str, str], kamailio: Kamailio, tmp_path: Path
) -> None:
    sessions = {name: server.login(name) for name in acd_team}
    try:
        for name, body in (
            ("acd_first", {"state": "available"}),  # longest idle: offered first
            ("acd_second", {"state": "available"}),
            ("acd_break", {"state": "break", "reason": "Pause café"}),
        ):
            assert sessions[name].client.put("/agents/me/state", json=body).status_code == 200
            time.sleep(0.05)
        first_port, second_port = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_DGRAM)
        with (
            sipp_uas("agent_rings_out.xml", first_port, tmp_path) as first,
            sipp_uas("agent_answers.xml", second_port, tmp_path) as second,
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as on_break,
        ):
            on_break.bind(("127.0.0.1", 0))
            on_break.settimeout(0.1)
            register_agent(kamailio, sessions["acd_first"], first_port)
            register_agent(kamailio, sessions["acd_second"], second_port)
            register_agent(kamailio, sessions["acd_break"], on_break.getsockname()[1])
            started = time.monotonic()
            code = call_queue(kamailio, "customer.xml", "file-acd", tmp_path)
            elapsed = time.monotonic() - started
            assert code == 0, kamailio.log.read_text()[-3000:]
            assert first.wait(20) == 0, "the first agent's endpoint did not ring out cleanly"
            assert second.wait(20) == 0, "the second agent did not take the call"
            with contextlib.suppress(TimeoutError):
                assert on_break.recv(4096) == b"", "an agent on Break was offered the call"
        assert elapsed >= RONA_S  # the first offer rang for the queue's RONA time
        states = _states(server, acd_team)
        assert states["acd_first"] == ("not_ready", "missed")
        assert states["acd_second"][0] == "on_call"
        assert states["acd_break"] == ("break", "Pause café")
        me = sessions["acd_first"]
        figures = me.client.get(f"/figures/agents/{me.user_id}").json()
        assert figures["missed"] == 1
        # Nobody is Available now: a clear SIP answer, no ringing.
        assert call_queue(kamailio, "customer_refused.xml", "file-acd", tmp_path) == 0
        assert call_queue(kamailio, "customer_refused.xml", "no-such-queue", tmp_path) != 0
    finally:
        for s in sessions.values():
            s.close()


def _first_line(reply: bytes) -> str:
    return reply.split(b"\r\n", 1)[0].decode()


def test_wrong_password_is_refused_and_a_queue_call_from_elsewhere_is_challenged(
    server: Server, acd_team: dict[str, str], kamailio: Kamailio
) -> None:
    session = server.login("acd_break")
    try:
        cred = provisioned(session)
        contact = free_port(socket.SOCK_DGRAM)
        user, secret = cred.user, cred.secret
        wrong = Credential(cred.user, cred.auth_user, secret + "x", cred.domain)
        assert register_as(kamailio, wrong, contact) == 403
        assert register(kamailio.port, "nobody-here", "whatever-secret", contact) == 403
        # the AOR user name is no digest identity (only devices have one)
        assert register(kamailio.port, user, secret, contact, domain=cred.domain) == 403
        assert register_as(kamailio, cred, contact) == 200
    finally:
        session.close()
    # No credentials at all: REGISTER gets 401; an INVITE to a queue sent from 127.0.0.2
    # (not the gateway, 127.0.0.1) gets 407 and never reaches the ACD.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(3)
        s.bind(("127.0.0.1", 0))
        local = s.getsockname()[1]
        s.sendto(_request("REGISTER", user, kamailio.port, local), ("127.0.0.1", kamailio.port))
        reply = s.recv(65535)
        assert _first_line(reply).startswith("SIP/2.0 401"), reply
        assert b"WWW-Authenticate: Digest" in reply
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(3)
        s.bind(("127.0.0.2", 0))
        local = s.getsockname()[1]
        invite = _request(
            "INVITE", "intruder", kamailio.port, local,
            ruri=f"sip:queue-file-acd@127.0.0.1:{kamailio.port}", via_host="127.0.0.2",
        )  # fmt: skip
        s.sendto(invite, ("127.0.0.1", kamailio.port))
        reply = s.recv(65535)
        assert _first_line(reply).startswith("SIP/2.0 407"), reply
        assert b"Proxy-Authenticate: Digest" in reply
    log = kamailio.log.read_text()
    assert "/route?queue=file-acd" not in log
    assert secret not in log  # the fetched SIP secret is never logged


def test_sip_credential_needs_the_acd_token(server: Server, acd_team: dict[str, str]) -> None:
    url = f"{server.url}{API}/acd/sip-credential"
    token = server.db.settings()["acd_token"]
    session = server.login("acd_first")
    try:
        cred = provisioned(session)
        user = cred.auth_user
        # an agent's own bearer token is not the ACD credential
        assert session.client.get("/acd/sip-credential", params={"user": user}).status_code == 401
    finally:
        session.close()
    assert httpx.get(url, params={"user": user}).status_code == 401
    assert httpx.get(url, params={"user": user}, auth=("acd", token + "x")).status_code == 401
    assert httpx.get(url, params={"user": user}, auth=("admin", token)).status_code == 401
    r = httpx.get(url, params={"user": user}, auth=("acd", token))
    assert r.status_code == 200
    ha1 = hashlib.md5(f"{cred.auth_user}:{cred.domain}:{cred.secret}".encode()).hexdigest()
    assert r.text == f"{ha1} {cred.user}"  # the HA1 and the AOR user, never the secret
    assert r.headers["cache-control"] == "no-store"
    missing = httpx.get(url, params={"user": "nobody-here"}, auth=("acd", token))
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "no_such_user"
    # the user's AOR name is no digest identity: only devices have one
    assert httpx.get(url, params={"user": cred.user}, auth=("acd", token)).status_code == 404
