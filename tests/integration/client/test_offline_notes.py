"""Enrol, sync 100k contacts, search; notes written offline survive kill -9 and reach the
real server exactly once; no secret or token is left on disk."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from homeagent.client.device import DeviceSession
from homeagent.core.profile import Profile
from homeagent.crm.sync import SyncProgress
from homeagent.security.vault import REFRESH_TOKEN, Vault
from tests.helpers.keyring_session import KeyringSession
from tests.helpers.procs import wait_until
from tests.integration.client.conftest import scan_for
from tests.integration.client.realserver import PASSWORD, ServerInstance

pytestmark = pytest.mark.integration

N_CONTACTS = 100_000


def _writer(
    session_args: list[str], prefix: str, count: int, env: dict[str, str], pause_s: float
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.client.note_writer",
            *session_args,
            "--prefix",
            prefix,
            "--count",
            str(count),
            "--pause-s",
            str(pause_s),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=Path(__file__).parents[3],
    )


def test_enrol_sync_offline_notes_kill9_exactly_once(
    server: ServerInstance,
    profile: Profile,
    vault: Vault,
    data_dir: Path,
    keyring_session: KeyringSession,
    tmp_path: Path,
) -> None:
    contacts = server.seed_contacts(N_CONTACTS)
    server.create_user("alice", "agent")
    server.start()

    session = DeviceSession(profile, vault, data_dir=data_dir)
    enrolled = session.enrol("alice", PASSWORD, "alice-pc")
    assert enrolled.device_id
    assert vault.get_refresh_token()
    assert vault.get_sip_secret()

    progress: list[SyncProgress] = []
    t0 = time.monotonic()
    result = session.sync_contacts(progress.append)
    sync_s = time.monotonic() - t0
    assert result.done
    assert result.received == N_CONTACTS
    assert session.store.contact_count() == N_CONTACTS
    assert len(progress) == N_CONTACTS // 1000
    print(f"initial sync of {N_CONTACTS} contacts: {sync_s:.1f} s")

    target = contacts[4242]
    first, last = target["first_name"][:3], target["last_name"][:4]
    hits = session.store.search(f"{first} {last}")
    assert len(hits) == 20
    assert all(c.first_name.startswith(first) and c.last_name.startswith(last) for c in hits)
    assert target["id"] in [c.id for c in session.store.search(target["email"][:10])]
    assert [c.id for c in session.store.search("cli-104242")] == [target["id"]]
    assert [c.id for c in session.store.lookup_number("06 10 00 42 42")] == [target["id"]]
    session.stop()

    # The server goes away; the agent keeps writing notes in the app (a subprocess).
    server.stop()
    profile_file = tmp_path / "profile.json"
    profile_file.write_bytes((tmp_path / "org.homeagent-profile").read_bytes())
    args = [
        "--profile",
        str(profile_file),
        "--trust-dir",
        str(server.trust_dir),
        "--data-dir",
        str(data_dir),
        "--service",
        vault._service,
        "--contact",
        target["id"],
    ]
    env = {**keyring_session.env, "PYTHONPATH": str(Path(__file__).parents[3])}
    first = _writer(args, "run1", 100_000, env, pause_s=0.002)
    saved: list[str] = []
    assert first.stdout is not None
    while len(saved) < 40:
        line = first.stdout.readline()
        assert line, f"writer died early: {first.stderr.read() if first.stderr else ''}"
        saved.append(line.split()[1])
    os.kill(first.pid, signal.SIGKILL)  # mid-way: a note may be half written
    rest, _ = first.communicate(timeout=10)
    saved += [line.split()[1] for line in rest.splitlines() if line.startswith("saved ")]
    assert first.returncode == -signal.SIGKILL

    second = _writer(args, "run2", 15, env, pause_s=0)  # the app restarted, still offline
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    saved += [line.split()[1] for line in out.splitlines()]

    # Back online: a restarted app flushes the outbox.
    server.start()
    session = DeviceSession(profile, vault, data_dir=data_dir)
    local = {i.body["id"] for i in session.outbox.items() if i.kind == "note"}
    assert set(saved) <= local  # everything acknowledged as saved is in the outbox
    session.start()
    wait_until(lambda: session.outbox.status().pending == 0, timeout_s=60, interval_s=0.1)
    assert session.outbox.status().dead_letters == 0
    history = session.client.contact_interactions(target["id"])
    on_server = [n["id"] for n in history["notes"]]
    assert sorted(on_server) == sorted(local)  # every note, once
    assert len(on_server) == len(set(on_server))

    # A resend of an already delivered entry (crash between send and "mark sent") is
    # replayed by the server, not applied twice.
    item = next(i for i in session.outbox.items("sent") if i.kind == "note")
    session.client.request(item.method, item.path, item.body, idempotency_key=item.id)
    again = [n["id"] for n in session.client.contact_interactions(target["id"])["notes"]]
    assert sorted(again) == sorted(on_server)

    access = session.client._access_token
    refresh = vault.get_refresh_token()
    sip = vault.get_sip_secret()
    key_hex = vault.data_key().hex()
    session.close()

    # Nothing secret on disk: data folder (database, WAL, device file) and logs.
    assert access
    assert refresh
    assert sip
    secrets = {
        "password": PASSWORD,
        "access token": access,
        REFRESH_TOKEN: refresh,
        "sip secret": sip,
        "data key": key_hex,
    }
    assert scan_for(data_dir, secrets) == []
    assert any((data_dir / "logs").iterdir())
    # …and no readable customer data either (the cache is encrypted).
    assert scan_for(data_dir, {"name": target["last_name"], "email": target["email"]}) == []
    device = json.loads((data_dir / "device.json").read_text())
    assert device["device_id"] == enrolled.device_id
