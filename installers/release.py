"""Signed release metadata: what IT checks before a package reaches an agent's PC.

A release is a package file plus `<package>.json`:
``{"release": {name, version, file, size, sha256, published_at}, "signature", "key_id"}``
with an Ed25519 signature by the organisation key over the canonical encoding of
``release`` — the same key and encoding as provisioning profiles, so one trusted-keys
file (``/etc/homeagent/trusted-keys.pem``) serves both. The same file is the update
metadata: a client compares ``version`` and downloads ``file``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from homeagent.security.profile import canonical_bytes, key_id_of, parse_public_key
from homeagent.update.install import sha256_of


class ReleaseRefused(ValueError):
    """The package does not match signed metadata from a trusted key."""


def sign_release(package: Path, *, name: str, version: str, private_key_pem: bytes) -> Path:
    """Write `<package>.json` signed with the organisation key; return its path."""
    key = serialization.load_pem_private_key(private_key_pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the organisation signing key must be an Ed25519 private key")
    release = {
        "name": name,
        "version": version,
        "file": package.name,
        "size": package.stat().st_size,
        "sha256": sha256_of(package),
        "published_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    envelope = {
        "release": release,
        "signature": base64.b64encode(key.sign(canonical_bytes(release))).decode("ascii"),
        "key_id": key_id_of(key.public_key()),
    }
    out = package.with_name(package.name + ".json")
    out.write_text(json.dumps(envelope, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return out


def verify_release(package: Path, metadata: Path, trusted_keys: Sequence[bytes]) -> dict[str, Any]:
    """Return the signed release fields, or raise ReleaseRefused saying exactly why."""
    try:
        envelope = json.loads(metadata.read_text(encoding="utf-8"))
        release = envelope["release"]
        signature = base64.b64decode(envelope["signature"], validate=True)
        key_id = str(envelope["key_id"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReleaseRefused(f"release metadata {metadata.name} is unreadable: {exc}") from exc
    keys = {key_id_of(k): k for k in map(parse_public_key, trusted_keys)}
    if key_id not in keys:
        raise ReleaseRefused(f"signed by key {key_id}, which is not a trusted organisation key")
    try:
        keys[key_id].verify(signature, canonical_bytes(release))
    except InvalidSignature:
        raise ReleaseRefused("the release metadata signature is invalid") from None
    if package.name != release.get("file"):
        raise ReleaseRefused(f"metadata is for {release.get('file')!r}, not {package.name!r}")
    size, digest = package.stat().st_size, sha256_of(package)
    if size != release.get("size") or digest != release.get("sha256"):
        raise ReleaseRefused(
            f"{package.name} does not match its signed checksum (sha256 {digest[:16]}…)"
        )
    return dict(release)
