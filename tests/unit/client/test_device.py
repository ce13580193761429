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
        json.dumps(
            {
                "device_id": "d1",
                "username": "alice",
                "sip": {
                    "username": "1001",
                    "auth_username": "1001.a1b2c3d4",
                    "realm": "example.org",
                },
            }
        )
    )
    session = DeviceSession(PROFILE, vault, data_dir=tmp_path)
    assert session.client.device_id == "d1"
    assert not session.needs_sip_credential
    account = session.sip_account()
    assert (account.username, account.password, account.registrar_port) == ("1001", "sip-pw", 5061)
    assert account.auth_username == "1001.a1b2c3d4"  # the device's own digest identity
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

        def issue_sip_credential(self) -> dict[str, object]:
            raise ServerUnreachable("gone")

    vault = MemoryVault()
    session = DeviceSession(PROFILE, vault, data_dir=tmp_path, client=HalfServer())  # type: ignore[arg-type]
    with pytest.raises(ServerUnreachable):
        session.enrol("alice", "pw", "pc")
    assert vault.items == {}
    assert not session.is_enrolled
    assert not (tmp_path / "device.json").exists()


class CredentialServer:
    """Just enough of the server client for the SIP credential (POST /provisioning/sip)."""

    device_id = None

    def __init__(self, answers: list[dict[str, object]]) -> None:
        self.answers = answers
        self.issued = 0

    def on_revoked(self, _cb: object) -> None:
        pass

    def login(self, *_a: object) -> dict[str, object]:
        self.vault.set_refresh_token("r1")
        return {"device_id": "d1", "user": {"id": "u1"}}

    def issue_sip_credential(self) -> dict[str, object]:
        self.issued += 1
        return self.answers.pop(0)

    def close(self) -> None:
        pass

    vault: MemoryVault


def _issued(auth_username: str, secret: str, realm: str = "example.org") -> dict[str, object]:
    return {
        "registrar_host": "sip.example.org", "registrar_port": 5061, "domain": realm,
        "transport": "tls", "srtp": "mandatory", "username": "1001",
        "auth_username": auth_username, "realm": realm, "password": secret,
        "display_name": "Alice",
    }  # fmt: skip


def test_enrolment_keeps_the_device_credential_secret_in_the_vault_only(tmp_path: Path) -> None:
    vault = MemoryVault()
    server = CredentialServer([_issued("1001.00000001", "s3cret-device")])
    server.vault = vault
    session = DeviceSession(PROFILE, vault, data_dir=tmp_path, client=server)  # type: ignore[arg-type]
    session.enrol("alice", "pw", "pc")
    assert vault.get_sip_secret() == "s3cret-device"
    on_disk = (tmp_path / "device.json").read_text()
    assert "s3cret-device" not in on_disk
    account = session.sip_account()
    assert (account.username, account.auth_username) == ("1001", "1001.00000001")
    assert not session.needs_sip_credential
    session.close()


def test_a_device_enrolled_with_the_user_wide_secret_renews_its_own(tmp_path: Path) -> None:
    vault = MemoryVault()
    vault.set_refresh_token("r")
    vault.set_sip_secret("former-user-wide-secret")
    # written by an app before per-device credentials: no digest identity of its own
    legacy = {
        "device_id": "d1",
        "username": "alice",
        "user": {"id": "u1"},
        "sip": {"username": "1001", "domain": "example.org"},
    }
    (tmp_path / "device.json").write_text(json.dumps(legacy))
    server = CredentialServer([_issued("1001.0000000a", "own-secret")])
    server.vault = vault
    session = DeviceSession(PROFILE, vault, data_dir=tmp_path, client=server)  # type: ignore[arg-type]
    assert session.needs_sip_credential
    session.renew_sip_credential()
    assert server.issued == 1
    assert not session.needs_sip_credential
    account = session.sip_account()
    assert (account.auth_username, account.password) == ("1001.0000000a", "own-secret")
    info = json.loads((tmp_path / "device.json").read_text())
    assert info["user"] == {"id": "u1"}
    assert "own-secret" not in json.dumps(info)
    session.close()


def test_a_changed_sip_domain_asks_for_a_new_credential(tmp_path: Path) -> None:
    vault = MemoryVault()
    vault.set_refresh_token("r")
    vault.set_sip_secret("old")
    sip = {"username": "1001", "auth_username": "1001.1", "realm": "old.org"}
    (tmp_path / "device.json").write_text(
        json.dumps({"device_id": "d1", "username": "alice", "sip": sip})
    )
    session = DeviceSession(PROFILE, vault, data_dir=tmp_path)
    assert session.needs_sip_credential  # the HA1 the server keeps is for the old realm
    session.close()


def test_an_answer_without_a_credential_is_refused(tmp_path: Path) -> None:
    from homeagent.client.device import ProvisioningFailed

    vault = MemoryVault()
    answer = _issued("1001.1", "x")
    answer.pop("password")
    server = CredentialServer([answer])
    server.vault = vault
    session = DeviceSession(PROFILE, vault, data_dir=tmp_path, client=server)  # type: ignore[arg-type]
    with pytest.raises(ProvisioningFailed):
        session.enrol("alice", "pw", "pc")
    assert vault.items == {}  # a fresh device is enrolled all or nothing
    session.close()
