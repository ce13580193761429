"""Against the real server: event stream resume, revocation, token refresh, pinned TLS."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from homeagent.client.device import DeviceSession
from homeagent.client.errors import DeviceRevoked, TlsVerificationFailed
from homeagent.client.events import ConnectionState, EventStream, StreamEvent
from homeagent.client.server import ServerClient
from homeagent.core.profile import Profile
from homeagent.security.vault import Vault
from tests.helpers.certs import make_ca
from tests.helpers.procs import wait_until
from tests.integration.client.conftest import MemoryTokens, lead_client
from tests.integration.client.realserver import PASSWORD, ServerInstance

pytestmark = pytest.mark.integration


def test_stream_drop_then_resume_receives_everything_once(
    server: ServerInstance, profile: Profile, vault: Vault, data_dir: Path
) -> None:
    agent_id = server.create_user("alice", "agent")
    server.create_user("lena", "team_lead")
    server.start()
    session = DeviceSession(profile, vault, data_dir=data_dir)
    session.enrol("alice", PASSWORD, "alice-pc")
    lead = lead_client(server, "lena")

    events: list[StreamEvent] = []
    states: list[ConnectionState] = []
    lock = threading.Lock()

    def on_event(ev: StreamEvent) -> None:
        with lock:
            events.append(ev)

    stream = EventStream(
        session.client, on_event, on_state=states.append, backoff_s=30, max_backoff_s=30
    )
    stream.start()
    try:
        wait_until(lambda: stream.state is ConnectionState.ONLINE, timeout_s=10)

        def bodies() -> list[str]:
            with lock:
                return [e.data["body"] for e in events if e.type == "message"]

        def send(body: str) -> None:
            lead.post("/messages", {"to_agent_id": agent_id, "body": body, "priority": "normal"})

        send("before")
        wait_until(lambda: bodies() == ["before"], timeout_s=10)
        stream.drop_connection()  # the home connection drops
        wait_until(lambda: stream.state is ConnectionState.RECONNECTING, timeout_s=10)
        for i in range(5):
            send(f"while away {i}")
        time.sleep(0.3)
        assert stream.state is ConnectionState.RECONNECTING  # really sent while away
        assert bodies() == ["before"]
        stream.wake()  # network back
        wait_until(lambda: len(bodies()) == 6, timeout_s=15)
        send("after")
        wait_until(lambda: len(bodies()) == 7, timeout_s=10)
        time.sleep(0.3)
        assert bodies() == ["before", *[f"while away {i}" for i in range(5)], "after"]
        ids = [e.id for e in events]
        assert ids == sorted(set(ids))  # each event once, in order
        assert states[:3] == [
            ConnectionState.ONLINE,
            ConnectionState.RECONNECTING,
            ConnectionState.ONLINE,
        ]
    finally:
        stream.stop()
        session.close()
        lead.close()


def test_revocation_wipes_secrets_and_cache(
    server: ServerInstance, profile: Profile, vault: Vault, data_dir: Path
) -> None:
    server.create_user("alice", "agent")
    server.start()
    session = DeviceSession(profile, vault, data_dir=data_dir)
    enrolled = session.enrol("alice", PASSWORD, "alice-pc")
    session.sync_contacts()
    session.outbox.set_agent_state("available")
    revoked = threading.Event()
    session.on_revoked(revoked.set)
    connection: list[ConnectionState] = []
    session.start(on_connection=connection.append)
    wait_until(lambda: ConnectionState.ONLINE in connection, timeout_s=10)

    server.revoke(enrolled.device_id)  # IT revokes the device
    assert revoked.wait(15)
    assert vault.get_refresh_token() is None
    assert vault.get_sip_secret() is None
    assert not vault.has_data_key()
    assert not (data_dir / "device.json").exists()
    assert not [p for p in data_dir.iterdir() if p.name.startswith("homeagent-cache")]
    assert not session.is_enrolled
    with pytest.raises(DeviceRevoked):
        session.client.me()  # and the client says so from now on
    session.close()


def test_rest_401_device_revoked_notifies(
    server: ServerInstance, vault: Vault, data_dir: Path
) -> None:
    server.create_user("alice", "agent")
    server.start()
    client = ServerClient(server.url, vault, ca_pem=server.ca.cert_pem.decode())
    client.login("alice", PASSWORD, "alice-pc")
    told = threading.Event()
    client.on_revoked(told.set)
    assert client.device_id
    server.revoke(client.device_id)
    with pytest.raises(DeviceRevoked):
        client.me()  # 401 device_revoked from the server
    assert told.is_set()
    client.close()


def test_expired_access_token_is_refreshed_and_rotated(
    tmp_path: Path, vault: Vault, data_dir: Path
) -> None:
    server = ServerInstance(tmp_path / "short", access_ttl_s=1)
    try:
        server.create_user("alice", "agent")
        server.start()
        client = ServerClient(server.url, vault, ca_pem=server.ca.cert_pem.decode())
        client.login("alice", PASSWORD, "alice-pc")
        first = vault.get_refresh_token()
        time.sleep(2.2)
        assert client.me()["user"]["name"] == "alice"  # 401 token_expired -> refresh -> retry
        assert vault.get_refresh_token() != first  # rotated and saved
        client.close()
    finally:
        server.stop()


def test_server_with_a_certificate_from_another_ca_is_refused(tmp_path: Path, vault: Vault) -> None:
    org_ca = make_ca("Our Org CA")
    evil = ServerInstance(tmp_path / "evil", ca=make_ca("Some Other CA"))
    try:
        evil.create_user("alice", "agent")
        evil.start()
        client = ServerClient(evil.url, vault, ca_pem=org_ca.cert_pem.decode(), max_attempts=3)
        t0 = time.monotonic()
        with pytest.raises(TlsVerificationFailed, match="organisation's CA"):
            client.login("alice", PASSWORD, "alice-pc")
        with pytest.raises(TlsVerificationFailed):
            client.health()  # GETs are retried, TLS failures never
        assert time.monotonic() - t0 < 3
        assert vault.get_refresh_token() is None
        client.close()
        # The same server is fine for a client pinned to its real CA (control).
        good = ServerClient(evil.url, MemoryTokens(), ca_pem=evil.ca.cert_pem.decode())
        assert good.health()
        good.close()
    finally:
        evil.stop()


def test_https_server_needs_a_pinned_ca() -> None:
    with pytest.raises(ValueError, match="CA"):
        ServerClient("https://example.org", MemoryTokens())
