"""Importing profiles: by file, from the system location; refusals change nothing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from homeagent.security import profile as p
from homeagent.security.provisioning import ProfileStore, load_trusted_keys
from tests.unit.security.test_profile import NOW, _body


@pytest.fixture
def env(tmp_path: Path) -> dict[str, Any]:
    priv, pub = p.generate_signing_key()
    system = tmp_path / "etc"
    (system / "trusted-keys.d").mkdir(parents=True)
    other_priv, other_pub = p.generate_signing_key()
    (system / "trusted-keys.pem").write_bytes(pub)
    (system / "trusted-keys.d" / "next.pem").write_bytes(other_pub)
    store = ProfileStore(user_config_dir=tmp_path / "user", system_dir=system)
    return {"priv": priv, "other": other_priv, "store": store, "system": system}


def test_trusted_keys_from_the_installer_dir(env: dict[str, Any]) -> None:
    assert len(load_trusted_keys(env["system"])) == 2
    assert load_trusted_keys(env["system"] / "absent") == []


def test_import_file_then_current(env: dict[str, Any], tmp_path: Path) -> None:
    f = tmp_path / "org.homeagent-profile"
    f.write_bytes(p.sign_profile(_body(), env["priv"]))
    result = env["store"].import_file(f, now=NOW)
    assert result.previous is None
    assert not result.server_changed
    assert env["store"].current(now=NOW).organisation == "Téléservices Lyon"


def test_rotated_key_is_trusted_too(env: dict[str, Any]) -> None:
    env["store"].import_bytes(p.sign_profile(_body(), env["other"]), now=NOW)


@pytest.mark.parametrize("kind", ["tampered", "wrong key", "expired"])
def test_refused_import_changes_nothing(env: dict[str, Any], kind: str) -> None:
    store: ProfileStore = env["store"]
    good = p.sign_profile(_body(), env["priv"])
    store.import_bytes(good, now=NOW)
    if kind == "tampered":
        doc = json.loads(p.sign_profile(_body(organisation="X"), env["priv"]))
        doc["profile"]["server_url"] = "https://evil.example.net"
        bad = json.dumps(doc).encode()
    elif kind == "wrong key":
        bad = p.sign_profile(_body(organisation="X"), p.generate_signing_key()[0])
    else:
        bad = p.sign_profile(_body(expires_at="2026-11-22T00:00:00Z"), env["priv"])
    with pytest.raises(p.ProfileError):
        store.import_bytes(bad, now=NOW)
    assert store.path.read_bytes() == good
    assert sorted(x.name for x in store.path.parent.iterdir()) == ["profile.json"]


def test_refused_first_import_creates_nothing(env: dict[str, Any]) -> None:
    store: ProfileStore = env["store"]
    with pytest.raises(p.ProfileUntrustedKey):
        store.import_bytes(p.sign_profile(_body(), p.generate_signing_key()[0]), now=NOW)
    assert not store.path.parent.exists()


def test_unreadable_file(env: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(p.ProfileError, match="Cannot read"):
        env["store"].import_file(tmp_path / "nope.json", now=NOW)


def test_system_profile_adopted_when_newer(env: dict[str, Any]) -> None:
    store: ProfileStore = env["store"]
    assert store.import_system(now=NOW) is None
    store.system_profile_path.write_bytes(p.sign_profile(_body(), env["priv"]))
    assert store.import_system(now=NOW) is not None
    assert store.import_system(now=NOW) is None  # same one: nothing to do
    newer = _body(issued_at="2026-11-10T00:00:00Z", server_url="https://cc2.example.org")
    store.system_profile_path.write_bytes(p.sign_profile(newer, env["priv"]))
    result = store.import_system(now=NOW)
    assert result is not None
    assert result.server_changed


def test_expired_stored_profile_is_not_current(env: dict[str, Any]) -> None:
    store: ProfileStore = env["store"]
    store.import_bytes(p.sign_profile(_body(), env["priv"]), now=NOW)
    assert store.current(now=NOW + dt.timedelta(days=800)) is None


@pytest.mark.parametrize("how", ["bytes", "file"])
def test_an_older_profile_never_replaces_a_newer_one(
    env: dict[str, Any], tmp_path: Path, how: str
) -> None:
    store: ProfileStore = env["store"]
    newer = p.sign_profile(_body(issued_at="2026-11-10T00:00:00Z"), env["priv"])
    older = p.sign_profile(
        _body(issued_at="2026-11-01T00:00:00Z", server_url="https://old.example.org"),
        env["priv"],
    )
    store.import_bytes(newer, now=NOW)
    f = tmp_path / "old.homeagent-profile"
    f.write_bytes(older)
    with pytest.raises(p.ProfileRollback, match="older"):
        store.import_bytes(older, now=NOW) if how == "bytes" else store.import_file(f, now=NOW)
    assert store.path.read_bytes() == newer
    again = store.import_bytes(newer, now=NOW)  # the same one again is fine
    assert again.profile.organisation == "Téléservices Lyon"
