"""DeviceSession without a server: not enrolled, wipe, SIP account from the vault."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from homeagent.client.device import DeviceSession, NotEnrolled
from homeagent.core.profile import Profile, SipProfile
from homeagent.core.sip_config import SrtpMode, Transport
from homeagent.testing.vault import MemoryVault

PROFILE = Profile(
    version=1,
    organisation="Org",
    server_url="http://127.0.0.1:9",
    ca_pem="",
    sip=SipProfile("sip.example.org", 5061, "example.org", "tls", "mandatory"),
    default_region="FR",
    issued_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    expires_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
    key_id="00",
)


def test_not_enrolled(tmp_path: Path) -> None:
    session = DeviceSession(PROFILE, MemoryVault(), data_dir=tmp_path)
    assert not session.is_enrolled
    with pytest.raises(NotEnrolled):
        _ = session.store
    with pytest.raises(NotEnrolled):
        session.sip_account()
    session.close()


def test_sip_account_and_wipe(tmp_path: Path) -> None:
    vault = MemoryVault()
    vault.set_refresh_token("r")
    vault.set_sip_secret("sip-pw")
    (tmp_path / "device.json").write_text(
        json.dumps({"device_id": "d1", "username": "alice", "sip": {"username": "1001"}})
    )
    session = DeviceSession(PROFILE, vault, data_dir=tmp_path)
    assert session.client.device_id == "d1"
    account = session.sip_account()
    assert (account.username, account.password, account.registrar_port) == ("1001", "sip-pw", 5061)
    assert account.transport is Transport.TLS
    assert account.srtp is SrtpMode.MANDATORY
    assert "sip-pw" not in repr(account)
    session.outbox.add_note("c1", "hello")
    assert any(p.name.startswith("homeagent-cache") for p in tmp_path.iterdir())
    session.wipe()
    assert vault.items == {}
    assert list(tmp_path.iterdir()) == []
    session.close()


def test_cache_written_with_another_key_is_replaced(tmp_path: Path) -> None:
    vault = MemoryVault()
    vault.set_refresh_token("r")
    session = DeviceSession(PROFILE, vault, data_dir=tmp_path)
    session.outbox.add_note("c1", "x")
    session.close()
    vault.items.pop("data-key")  # the keyring lost the key: the old file is unreadable
    session = DeviceSession(PROFILE, vault, data_dir=tmp_path)
    assert session.store.contact_count() == 0
    assert session.outbox.status().pending == 0
    session.close()


def test_failed_first_enrolment_leaves_nothing(tmp_path: Path) -> None:
    from homeagent.client.errors import ServerUnreachable

    class HalfServer:
        device_id = None

        def on_revoked(self, _cb: object) -> None:
            pass

        def login(self, *_a: object) -> dict[str, object]:
            vault.set_refresh_token("r1")  # what the real client does on login
            return {"device_id": "d1", "user": {}}

        def sip_provisioning(self) -> dict[str, object]:
            raise ServerUnreachable("gone")

    vault = MemoryVault()
    session = DeviceSession(PROFILE, vault, data_dir=tmp_path, client=HalfServer())  # type: ignore[arg-type]
    with pytest.raises(ServerUnreachable):
        session.enrol("alice", "pw", "pc")
    assert vault.items == {}
    assert not session.is_enrolled
    assert not (tmp_path / "device.json").exists()
