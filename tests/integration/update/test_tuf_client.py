"""The update client against a repository made by `homeagent-release`, served on 127.0.0.1.

Every attack of the issue is played against real metadata over real HTTP, and each must be
refused with a clear error: tampered target, foreign key, expired metadata, rollback,
freeze, poisoned cached root, a root rotation short of its threshold.
"""

from __future__ import annotations

import datetime as dt
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import Metadata, Root, Timestamp
from tuf.api.serialization.json import JSONSerializer

from homeagent.core.update_policy import UpdatePolicy, rollout_bucket
from homeagent.release.repository import ReleaseError, Repository, load_signer
from homeagent.update.client import UpdateError
from tests.helpers.tuf_repo import Served, client_for, fake_target, http_server, make_repo

STABLE = UpdatePolicy()
PAST = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=3)


@pytest.fixture
def org(tmp_path: Path) -> tuple[Repository, Path]:
    repo, keys = make_repo(tmp_path)
    repo.add_target(keys, fake_target(tmp_path, "0.2.0"), version="0.2.0", platform="linux-x86_64")
    return repo, keys


@pytest.fixture
def served(org: tuple[Repository, Path]) -> Iterator[Served]:
    with http_server(org[0].path) as s:
        yield s


def test_a_new_version_is_found_downloaded_and_verified(
    org: tuple[Repository, Path], served: Served, tmp_path: Path
) -> None:
    repo, _ = org
    client = client_for(repo, served.url, tmp_path / "data")
    result = client.check(STABLE)
    assert result.offer is not None
    assert result.offer.version == "0.2.0"
    path = client.download(result.offer)
    assert path.read_bytes() == fake_target(tmp_path / "again", "0.2.0").read_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    updates = tmp_path / "data" / "updates"
    for folder in (updates, updates / "metadata", updates / "downloads"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((updates / "metadata" / "timestamp.json").stat().st_mode) == 0o600
    # the same version again: nothing newer than what runs
    again = client_for(repo, served.url, tmp_path / "data", current="0.2.0").check(STABLE)
    assert again.offer is None
    assert "up to date" in again.choice.reason


def test_a_tampered_target_is_refused_and_never_left_on_disk(
    org: tuple[Repository, Path], served: Served, tmp_path: Path
) -> None:
    repo, _ = org
    (stored,) = repo.targets_dir.glob("*.homeagent-0.2.0-linux-x86_64.tar.gz")
    data = bytearray(stored.read_bytes())
    data[100] ^= 0x01
    stored.write_bytes(bytes(data))
    client = client_for(repo, served.url, tmp_path / "data")
    offer = client.check(STABLE).offer
    assert offer is not None
    with pytest.raises(UpdateError, match="does not match its signed length and hash"):
        client.download(offer)
    assert list(client.downloads_dir.iterdir()) == []


def _resign_timestamp(repo: Repository, signer: CryptoSigner) -> None:
    ts = Metadata[Timestamp].from_file(str(repo.metadata_dir / "timestamp.json"))
    ts.signed.version += 1
    ts.sign(signer)  # replaces the organisation's signature
    ts.to_file(str(repo.metadata_dir / "timestamp.json"), JSONSerializer())


def test_metadata_signed_by_a_foreign_key_is_refused(
    org: tuple[Repository, Path], served: Served, tmp_path: Path
) -> None:
    repo, _ = org
    _resign_timestamp(repo, CryptoSigner.generate_ed25519())
    with pytest.raises(UpdateError, match=r"signature check failed.*timestamp was signed by 0/1"):
        client_for(repo, served.url, tmp_path / "data").check(STABLE)


def test_expired_targets_metadata_is_refused(tmp_path: Path) -> None:
    repo, keys = make_repo(tmp_path)
    repo.expiry_days["targets"] = 1
    v = fake_target(tmp_path, "0.2.0")
    repo.add_target(keys, v, version="0.2.0", platform="linux-x86_64", now=PAST)
    repo.refresh_timestamp(keys)  # the cron still runs: only targets are stale
    with http_server(repo.path) as s, pytest.raises(UpdateError, match=r"has expired.*targets"):
        client_for(repo, s.url, tmp_path / "data").check(STABLE)


def test_a_frozen_repository_stale_timestamp_is_refused(tmp_path: Path) -> None:
    """Freeze: a mirror that keeps serving the last metadata once its timestamp is stale."""
    repo, keys = make_repo(tmp_path)
    repo.add_target(keys, fake_target(tmp_path, "0.2.0"), version="0.2.0", platform="linux-x86_64")
    repo.refresh_timestamp(keys, now=PAST)  # the last timestamp re-signed, 3 days ago
    with (
        http_server(repo.path) as s,
        pytest.raises(UpdateError, match=r"timestamp\.json is expired.*replays old metadata"),
    ):
        client_for(repo, s.url, tmp_path / "data").check(STABLE)


def test_a_rollback_to_older_metadata_is_refused(
    org: tuple[Repository, Path], tmp_path: Path
) -> None:
    repo, keys = org
    old = tmp_path / "old-copy"
    shutil.copytree(repo.path, old)  # what a mirror kept from before 0.3.0
    repo.add_target(keys, fake_target(tmp_path, "0.3.0"), version="0.3.0", platform="linux-x86_64")
    with http_server(repo.path) as s:
        client = client_for(repo, s.url, tmp_path / "data")
        assert client.check(STABLE).offer.version == "0.3.0"  # type: ignore[union-attr]
        s.serve(old)
        with pytest.raises(
            UpdateError, match=r"rollback refused.*timestamp version 2 must be >= 3"
        ):
            client.check(STABLE)


def test_a_poisoned_cached_root_changes_nothing(
    org: tuple[Repository, Path], served: Served, tmp_path: Path
) -> None:
    repo, _ = org
    data = tmp_path / "data"
    assert client_for(repo, served.url, data).check(STABLE).offer is not None
    # an attacker's repository with its own root, and that root written into the cache
    evil, evil_keys = make_repo(tmp_path, "attacker")
    evil.add_target(
        evil_keys, fake_target(tmp_path / "evil", "9.9.9"), version="9.9.9", platform="linux-x86_64"
    )
    cache = data / "updates" / "metadata"
    evil_root = (evil.metadata_dir / "1.root.json").read_bytes()
    (cache / "root.json").unlink()
    (cache / "root.json").write_bytes(evil_root)
    (cache / "root_history" / "2.root.json").write_bytes(evil_root)  # a "newer" one too
    served.serve(evil.path)
    with pytest.raises(UpdateError, match="signature check failed"):
        client_for(repo, served.url, data).check(STABLE)
    # the honest repository again: the organisation's root, never the attacker's
    served.serve(repo.path)
    found = client_for(repo, served.url, data).check(STABLE)
    assert found.offer is not None
    assert found.offer.version == "0.2.0"
    assert (cache / "root.json").read_bytes() == (repo.metadata_dir / "1.root.json").read_bytes()


def test_root_and_online_key_rotation_are_accepted(
    org: tuple[Repository, Path], served: Served, tmp_path: Path
) -> None:
    repo, keys = org
    data = tmp_path / "data"
    assert client_for(repo, served.url, data).check(STABLE).offer is not None
    assert repo.rotate(keys, "root", add=["root-4"], remove=["root-1"]) == 2
    (keys / "root-1.pem").unlink()  # the retired key is gone for good
    assert repo.rotate(keys, "timestamp", add=["timestamp-2"], remove=["timestamp-1"]) == 3
    (keys / "timestamp-1.pem").unlink()
    repo.add_target(keys, fake_target(tmp_path, "0.3.0"), version="0.3.0", platform="linux-x86_64")
    # a PC that was offline meanwhile, still bootstrapped with root v1 by IT
    for where in (data, tmp_path / "fresh"):
        result = client_for(repo, served.url, where).check(STABLE)
        assert result.offer is not None
        assert result.offer.version == "0.3.0"
    assert (data / "updates/metadata/root_history/3.root.json").exists()


def test_a_root_rotation_short_of_its_threshold_is_refused(
    org: tuple[Repository, Path], served: Served, tmp_path: Path
) -> None:
    repo, keys = org
    one = [load_signer(keys, "root-1")]
    with pytest.raises(ReleaseError, match="needs 2 signatures of the old root keys, has 1"):
        repo.rotate(keys, "root", add=["root-5"], signers=one)
    assert repo.root_version() == 1
    # written by hand past the tool: one root key only signs the new root
    new = Root.from_dict(repo.root().signed.to_dict())
    new.version = 2
    new.roles["root"].threshold = 1
    md = Metadata(new)
    md.sign(one[0])
    md.to_file(str(repo.metadata_dir / "2.root.json"), JSONSerializer())
    with pytest.raises(UpdateError, match=r"signature check failed.*root was signed by 1/2"):
        client_for(repo, served.url, tmp_path / "data").check(STABLE)


def test_the_rollout_percentage_is_honoured(tmp_path: Path) -> None:
    repo, keys = make_repo(tmp_path)
    name = repo.add_target(
        keys,
        fake_target(tmp_path, "0.2.0"),
        version="0.2.0",
        platform="linux-x86_64",
        rollout_percent=30,
    )
    devices = [f"device-{i:03d}" for i in range(24)]
    expected = {d for d in devices if rollout_bucket(d, "0.2.0") < 30}
    assert 0 < len(expected) < len(devices)  # these ids fall on both sides
    with http_server(repo.path) as s:
        taken = {
            d
            for d in devices
            if client_for(repo, s.url, tmp_path / d, device_id=d).check(STABLE).offer
        }
        assert taken == expected
        repo.set_rollout(keys, name, rollout_percent=100)
        left = [d for d in devices if d not in taken]
        assert all(
            client_for(repo, s.url, tmp_path / d, device_id=d).check(STABLE).offer for d in left
        )


def test_the_policy_off_pinned_and_channel_are_honoured(tmp_path: Path) -> None:
    repo, keys = make_repo(tmp_path)
    for version, channels in (
        ("0.2.0", ["stable", "pilot"]),
        ("0.3.0", ["stable"]),
        ("0.4.0", ["pilot"]),
    ):
        repo.add_target(
            keys,
            fake_target(tmp_path, version),
            version=version,
            platform="linux-x86_64",
            channels=channels,
        )
    with http_server(repo.path) as s:

        def offered(policy: UpdatePolicy) -> str | None:
            offer = client_for(repo, s.url, tmp_path / policy.channel).check(policy).offer
            return offer.version if offer else None

        assert offered(UpdatePolicy(channel="stable")) == "0.3.0"
        assert offered(UpdatePolicy(channel="pilot")) == "0.4.0"
        assert offered(UpdatePolicy(pinned_version="0.2.0")) == "0.2.0"
    # off: nothing is even asked of the network (the server is gone now)
    off = client_for(repo, s.url, tmp_path / "off").check(UpdatePolicy(enabled=False))
    assert off.offer is None
    assert off.choice.reason == "updates are turned off by the policy"


def test_an_unreachable_server_is_a_clear_error(
    org: tuple[Repository, Path], tmp_path: Path
) -> None:
    with http_server(tmp_path) as s:
        url = s.url
    with pytest.raises(UpdateError, match="could not be reached"):
        client_for(org[0], url, tmp_path / "data").check(STABLE)
