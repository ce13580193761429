"""The organisation's TUF repository: create it, publish versions, re-sign, rotate keys.

IT/build side only (`homeagent-release`); the desk never imports it. The output is a static
directory to host anywhere (`homeagent-server run --updates-dir`, nginx, a file share):

  <repo>/metadata/N.root.json         every root version (clients walk the chain)
  <repo>/metadata/N.targets.json      consistent snapshots: version-prefixed
  <repo>/metadata/N.snapshot.json
  <repo>/metadata/timestamp.json      the one unversioned file (re-signed by cron)
  <repo>/targets/<sha256>.<name>      hash-prefixed target files

Keys live in a separate directory, never in the repository: `<name>.pem` (PKCS#8 Ed25519
private key, 0600) and `<name>.pub.json` (the public key as TUF writes it). Root keys
belong offline; snapshot and timestamp keys are the "online" keys a cron job uses.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import load_pem_private_key
from securesystemslib.signer import CryptoSigner, Key, SSlibKey
from tuf.api.metadata import (
    TOP_LEVEL_ROLE_NAMES,
    Metadata,
    MetaFile,
    Role,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

from homeagent.core.update_policy import CHANNELS, PLATFORMS, parse_version, target_name

ROLES = ("root", "targets", "snapshot", "timestamp")
DEFAULT_EXPIRY_DAYS = {"root": 365, "targets": 90, "snapshot": 7, "timestamp": 1}
SPEC_VERSION = "1.0.31"


class ReleaseError(Exception):
    """A repository operation that cannot be done; nothing was written."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


# -- keys ------------------------------------------------------------------------------


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def generate_key(keys_dir: Path, name: str) -> CryptoSigner:
    """A new Ed25519 key `name` in `keys_dir` (refuses to overwrite one)."""
    keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    if (keys_dir / f"{name}.pem").exists():
        raise ReleaseError(f"key {name} already exists in {keys_dir}")
    signer = CryptoSigner.generate_ed25519()
    _write_private(keys_dir / f"{name}.pem", signer.private_bytes)
    pub = {"keyid": signer.public_key.keyid, "key": signer.public_key.to_dict()}
    (keys_dir / f"{name}.pub.json").write_text(json.dumps(pub, indent=1) + "\n")
    return signer


def load_public(keys_dir: Path, name: str) -> Key:
    path = keys_dir / f"{name}.pub.json"
    try:
        raw = json.loads(path.read_text())
        return SSlibKey.from_dict(raw["keyid"], dict(raw["key"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReleaseError(f"public key {path} unreadable: {exc}") from None


def load_signer(keys_dir: Path, name: str) -> CryptoSigner:
    """The signer of key `name` (its private key file must be 0600)."""
    path = keys_dir / f"{name}.pem"
    try:
        mode = path.stat().st_mode & 0o777
        data = path.read_bytes()
    except OSError as exc:
        raise ReleaseError(f"private key {name} not found in {keys_dir}: {exc}") from None
    if os.name == "posix" and mode & 0o077:
        raise ReleaseError(f"{path} is readable by others (mode {mode:o}): chmod 600 it")
    private = load_pem_private_key(data, None)
    return CryptoSigner(private, load_public(keys_dir, name))  # type: ignore[arg-type]


def signers_for(keys_dir: Path, keyids: Iterable[str]) -> list[CryptoSigner]:
    """Every private key in `keys_dir` whose key id is in `keyids`."""
    wanted, found = set(keyids), []
    for pub in sorted(keys_dir.glob("*.pub.json")):
        name = pub.name.removesuffix(".pub.json")
        if (keys_dir / f"{name}.pem").exists() and load_public(keys_dir, name).keyid in wanted:
            found.append(load_signer(keys_dir, name))
    return found


# -- the repository ----------------------------------------------------------------------


@dataclass
class Repository:
    """A repository directory and its current metadata (read from the files)."""

    path: Path
    expiry_days: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_EXPIRY_DAYS))

    @property
    def metadata_dir(self) -> Path:
        return self.path / "metadata"

    @property
    def targets_dir(self) -> Path:
        return self.path / "targets"

    # reading

    def root_version(self) -> int:
        versions = [
            int(p.name.split(".", 1)[0])
            for p in self.metadata_dir.glob("*.root.json")
            if p.name.split(".", 1)[0].isdigit()
        ]
        if not versions:
            raise ReleaseError(f"{self.path} is not a repository (no N.root.json): run init")
        return max(versions)

    def root(self) -> Metadata[Root]:
        return Metadata[Root].from_file(str(self.metadata_dir / f"{self.root_version()}.root.json"))

    def _has_timestamp(self) -> bool:
        return (self.metadata_dir / "timestamp.json").exists()

    def timestamp(self) -> Metadata[Timestamp]:
        return Metadata[Timestamp].from_file(str(self.metadata_dir / "timestamp.json"))

    def snapshot(self) -> Metadata[Snapshot]:
        v = self.timestamp().signed.snapshot_meta.version
        return Metadata[Snapshot].from_file(str(self.metadata_dir / f"{v}.snapshot.json"))

    def targets(self) -> Metadata[Targets]:
        v = self.snapshot().signed.meta["targets.json"].version
        return Metadata[Targets].from_file(str(self.metadata_dir / f"{v}.targets.json"))

    # writing

    def _expires(self, role: str, now: dt.datetime | None = None) -> dt.datetime:
        return (now or _now()) + dt.timedelta(days=self.expiry_days[role])

    def _sign(
        self, md: Metadata[Any], signers: Sequence[CryptoSigner], root: Root, role: str
    ) -> None:
        md.signatures.clear()
        allowed = set(root.roles[role].keyids)
        used = [s for s in signers if s.public_key.keyid in allowed]
        for s in used:
            md.sign(s, append=True)
        need = root.roles[role].threshold
        if len(used) < need:
            raise ReleaseError(
                f"{role}: {len(used)} of the {need} signatures its threshold needs "
                "(missing private keys in the keys directory?)"
            )

    def _write(self, md: Metadata[Any], name: str) -> bytes:
        data = md.to_bytes(JSONSerializer(compact=False))
        fd, tmp = tempfile.mkstemp(dir=self.metadata_dir, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)  # public metadata, served as is
        os.replace(tmp, self.metadata_dir / name)
        return data

    def init(
        self,
        keys_dir: Path,
        *,
        root_keys: int = 3,
        root_threshold: int = 2,
        now: dt.datetime | None = None,
    ) -> None:
        """A new repository: keys (unless they exist), root v1 and empty targets."""
        if not 1 <= root_threshold <= root_keys:
            raise ReleaseError(f"root threshold {root_threshold} of {root_keys} keys")
        if self.metadata_dir.exists() and any(self.metadata_dir.iterdir()):
            raise ReleaseError(f"{self.metadata_dir} is not empty: a repository exists there")
        self.metadata_dir.mkdir(parents=True, exist_ok=True)
        self.targets_dir.mkdir(parents=True, exist_ok=True)
        names = {"root": [f"root-{i}" for i in range(1, root_keys + 1)]}
        names.update({r: [f"{r}-1"] for r in ("targets", "snapshot", "timestamp")})
        root = Root(expires=self._expires("root", now), consistent_snapshot=True)
        root.spec_version = SPEC_VERSION
        for role, role_names in names.items():
            for name in role_names:
                key = (
                    load_public(keys_dir, name)
                    if (keys_dir / f"{name}.pub.json").exists()
                    else generate_key(keys_dir, name).public_key
                )
                root.add_key(key, role)
        root.roles["root"].threshold = root_threshold
        md = Metadata(root)
        self._sign(md, signers_for(keys_dir, root.keys), root, "root")
        self._write(md, "1.root.json")
        targets = Metadata(Targets(expires=self._expires("targets", now)))
        targets.signed.spec_version = SPEC_VERSION
        self._publish_targets(targets, keys_dir, root, now)

    def _publish_targets(
        self, targets: Metadata[Targets], keys_dir: Path, root: Root, now: dt.datetime | None
    ) -> None:
        """Sign `targets`, then a new snapshot and timestamp over it."""
        signers = signers_for(keys_dir, root.keys)
        self._sign(targets, signers, root, "targets")
        self._write(targets, f"{targets.signed.version}.targets.json")
        old = self.snapshot().signed.version if self._has_timestamp() else 0
        snapshot = Metadata(Snapshot(version=old + 1, expires=self._expires("snapshot", now)))
        snapshot.signed.spec_version = SPEC_VERSION
        snapshot.signed.meta["targets.json"] = MetaFile(version=targets.signed.version)
        self._sign(snapshot, signers, root, "snapshot")
        data = self._write(snapshot, f"{snapshot.signed.version}.snapshot.json")
        self._new_timestamp(
            MetaFile.from_data(snapshot.signed.version, data, ["sha256"]), keys_dir, root, now
        )

    def _new_timestamp(
        self, meta: MetaFile, keys_dir: Path, root: Root, now: dt.datetime | None
    ) -> None:
        old = self.timestamp().signed.version if self._has_timestamp() else 0
        ts = Metadata(Timestamp(version=old + 1, expires=self._expires("timestamp", now)))
        ts.signed.spec_version = SPEC_VERSION
        ts.signed.snapshot_meta = meta
        self._sign(ts, signers_for(keys_dir, root.keys), root, "timestamp")
        self._write(ts, "timestamp.json")

    def add_target(
        self,
        keys_dir: Path,
        file: Path,
        *,
        version: str,
        platform: str,
        channels: Sequence[str] = ("stable",),
        rollout_percent: int = 100,
        now: dt.datetime | None = None,
    ) -> str:
        """Publish `file` as `homeagent-<version>-<platform>.<ext>`; returns that name."""
        try:
            parse_version(version)
        except ValueError as exc:
            raise ReleaseError(str(exc)) from None
        if platform not in PLATFORMS:
            raise ReleaseError(f"platform must be one of {', '.join(PLATFORMS)}: {platform!r}")
        bad = [c for c in channels if c not in CHANNELS]
        if bad or not channels:
            raise ReleaseError(f"channels must be among {', '.join(CHANNELS)}: {list(channels)}")
        if not 0 <= rollout_percent <= 100:
            raise ReleaseError(f"rollout percentage must be 0-100: {rollout_percent}")
        name = target_name(version, platform)
        if not file.name.endswith("." + PLATFORMS[platform]):
            raise ReleaseError(f"{file.name}: a {platform} update is a .{PLATFORMS[platform]}")
        root = self.root().signed
        targets = self.targets()
        if name in targets.signed.targets:
            raise ReleaseError(f"{name} is already published (versions are never replaced)")
        info = TargetFile.from_file(name, str(file), ["sha256"])
        info.unrecognized_fields["custom"] = {
            "homeagent": {
                "version": version,
                "platform": platform,
                "channels": list(dict.fromkeys(channels)),
                "rollout_percent": rollout_percent,
            }
        }
        stored = self.targets_dir / f"{info.hashes['sha256']}.{name}"
        self.targets_dir.mkdir(parents=True, exist_ok=True)
        tmp = stored.with_name(f".tmp-{stored.name}")
        shutil.copyfile(file, tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, stored)
        targets.signed.targets[name] = info
        self._bump_targets(targets, keys_dir, root, now)
        return name

    def set_rollout(
        self,
        keys_dir: Path,
        name: str,
        *,
        rollout_percent: int | None = None,
        channels: Sequence[str] | None = None,
        now: dt.datetime | None = None,
    ) -> None:
        """Change a published target's rollout percentage or channels (re-signed)."""
        root = self.root().signed
        targets = self.targets()
        info = targets.signed.targets.get(name)
        if info is None:
            raise ReleaseError(f"{name} is not published (see `homeagent-release status`)")
        custom = info.unrecognized_fields["custom"]["homeagent"]
        if rollout_percent is not None:
            if not 0 <= rollout_percent <= 100:
                raise ReleaseError(f"rollout percentage must be 0-100: {rollout_percent}")
            custom["rollout_percent"] = rollout_percent
        if channels is not None:
            if not channels or any(c not in CHANNELS for c in channels):
                raise ReleaseError(f"channels must be among {', '.join(CHANNELS)}")
            custom["channels"] = list(dict.fromkeys(channels))
        self._bump_targets(targets, keys_dir, root, now)

    def _bump_targets(
        self, targets: Metadata[Targets], keys_dir: Path, root: Root, now: dt.datetime | None
    ) -> None:
        targets.signed.version += 1
        targets.signed.expires = self._expires("targets", now)
        self._publish_targets(targets, keys_dir, root, now)

    def refresh_timestamp(self, keys_dir: Path, now: dt.datetime | None = None) -> int:
        """Re-sign the timestamp (new version and expiry) over the current snapshot; also a
        new snapshot when it expires sooner than a timestamp lasts. Returns its version."""
        root = self.root().signed
        snap = self.snapshot()
        limit = (now or _now()) + dt.timedelta(days=self.expiry_days["timestamp"])
        if snap.signed.expires <= limit:  # keep the snapshot alive too (same cron job)
            self._publish_targets(self.targets(), keys_dir, root, now)
        else:
            meta = self.timestamp().signed.snapshot_meta
            self._new_timestamp(meta, keys_dir, root, now)
        return self.timestamp().signed.version

    def rotate(
        self,
        keys_dir: Path,
        role: str,
        *,
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
        threshold: int | None = None,
        now: dt.datetime | None = None,
        signers: Sequence[CryptoSigner] | None = None,
    ) -> int:
        """A new root version changing `role`'s keys (new key names in `add` are
        generated; `remove` names keys or key ids). The new root is signed by the old
        root's threshold and the new one's. Returns the new root version."""
        if role not in TOP_LEVEL_ROLE_NAMES:
            raise ReleaseError(f"role must be one of {', '.join(ROLES)}")
        old_md = self.root()
        old = old_md.signed
        new = Root.from_dict(old.to_dict())
        for name in remove:
            keyid = (
                load_public(keys_dir, name).keyid
                if (keys_dir / f"{name}.pub.json").exists()
                else name
            )
            if keyid not in new.roles[role].keyids:
                raise ReleaseError(f"{name} is not a {role} key")
            new.revoke_key(keyid, role)
        for name in add:
            key = (
                load_public(keys_dir, name)
                if (keys_dir / f"{name}.pub.json").exists()
                else generate_key(keys_dir, name).public_key
            )
            new.add_key(key, role)
        if threshold is not None:
            new.roles[role] = Role(new.roles[role].keyids, threshold)
        r = new.roles[role]
        if not 1 <= r.threshold <= len(r.keyids):
            raise ReleaseError(f"{role}: threshold {r.threshold} of {len(r.keyids)} keys")
        new.version = old.version + 1
        new.expires = self._expires("root", now)
        md = Metadata(new)
        pool = (
            list(signers) if signers is not None else signers_for(keys_dir, {*old.keys, *new.keys})
        )
        for s in pool:
            if s.public_key.keyid in {*old.roles["root"].keyids, *new.roles["root"].keyids}:
                md.sign(s, append=True)
        for label, trusted in (("old", old), ("new", new)):
            result = trusted.get_verification_result("root", md.signed_bytes, md.signatures)
            if not result.verified:
                raise ReleaseError(
                    f"the new root needs {trusted.roles['root'].threshold} signatures of the "
                    f"{label} root keys, has {len(result.signed)}"
                )
        self._write(md, f"{new.version}.root.json")
        if role != "root":  # the online roles re-signed with their new keys at once
            self._bump_targets(self.targets(), keys_dir, new, now)
        return new.version

    def status(self) -> dict[str, Any]:
        """What is published, and when each role expires."""
        root, ts, snap, targets = self.root(), self.timestamp(), self.snapshot(), self.targets()
        return {
            "expires": {
                md.signed.type: f"{md.signed.expires:%Y-%m-%d %H:%M} UTC (v{md.signed.version})"
                for md in (root, targets, snap, ts)
            },
            "root_threshold": f"{root.signed.roles['root'].threshold} of "
            f"{len(root.signed.roles['root'].keyids)}",
            "targets": {
                name: info.unrecognized_fields.get("custom", {}).get("homeagent", {})
                | {"length": info.length, "sha256": info.hashes.get("sha256", "")}
                for name, info in sorted(targets.signed.targets.items())
            },
        }
