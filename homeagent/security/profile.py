"""Signed provisioning profiles (VPN-style): sign, verify, parse.

File format (docs/api.md): ``{"profile": {...}, "signature": "<base64 Ed25519>",
"key_id": "<hex>"}``. The signature covers the canonical encoding of ``profile``
(sorted keys, no spaces, UTF-8). ``key_id`` is the first 16 hex digits of the SHA-256
of the signer's raw 32-byte Ed25519 public key (see `key_id_of`).

Verification order: JSON shape -> signer trusted -> signature -> fields -> dates, so a
modified file is always reported as modified, whatever field was changed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from homeagent.core.profile import PROFILE_VERSION, Profile, SipProfile
from homeagent.security.tls import pem_certificates

CLOCK_SKEW = timedelta(minutes=10)  # tolerated between the signer's clock and ours
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
_TRANSPORTS = frozenset({"udp", "tcp", "tls"})
_SRTP = frozenset({"disabled", "optional", "mandatory"})


class ProfileError(ValueError):
    """A provisioning profile was refused; the message is meant for the user/IT."""


class ProfileMalformed(ProfileError):
    """Not a profile file, or a field is missing or wrong."""


class ProfileUntrustedKey(ProfileError):
    """Signed by a key that is not one of the configured trusted organisation keys."""


class ProfileSignatureInvalid(ProfileError):
    """The signature does not match the content: modified after signing, or corrupt."""


class ProfileExpired(ProfileError):
    """Past its `expires_at`."""


class ProfileNotYetValid(ProfileError):
    """`issued_at` is in the future (a wrong clock on this computer, or on the signer's)."""


class ProfileRollback(ProfileError):
    """Older (`issued_at`) than the profile already accepted: a replay of a past profile."""


PublicKeyLike = bytes | str | Ed25519PublicKey


def canonical_bytes(profile: Mapping[str, Any]) -> bytes:
    """The exact bytes the signature covers."""
    return json.dumps(profile, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def key_id_of(public_key: Ed25519PublicKey) -> str:
    """Short stable id of an organisation key: 16 hex digits of SHA-256(raw key)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def generate_signing_key() -> tuple[bytes, bytes]:
    """A new organisation key pair as (private PKCS#8 PEM, public SubjectPublicKeyInfo PEM)."""
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return private_pem, public_key_pem(key.public_key())


def public_key_pem(public_key: Ed25519PublicKey) -> bytes:
    """PEM (SubjectPublicKeyInfo) of a public key, the form the trusted-keys file holds."""
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def parse_public_key(key: PublicKeyLike) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM bytes/str, or the key itself."""
    if isinstance(key, Ed25519PublicKey):
        return key
    data = key.encode() if isinstance(key, str) else key
    loaded = serialization.load_pem_public_key(data)
    if not isinstance(loaded, Ed25519PublicKey):
        raise ValueError("a trusted organisation key must be an Ed25519 public key")
    return loaded


def sign_profile(profile: dict[str, Any], private_key_pem: bytes) -> bytes:
    """Sign `profile` with the organisation's Ed25519 key; return the file content.

    The profile's fields are checked first (expiry excepted), so the server never
    exports a file the app would refuse as malformed. `datetime` values are written as
    ISO-8601 UTC strings.
    """
    key = serialization.load_pem_private_key(private_key_pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the organisation signing key must be an Ed25519 private key")
    body = {k: _iso(v) if isinstance(v, datetime) else v for k, v in profile.items()}
    key_id = key_id_of(key.public_key())
    _parse_fields(body, key_id)
    signature = key.sign(canonical_bytes(body))
    envelope = {
        "profile": body,
        "signature": base64.b64encode(signature).decode("ascii"),
        "key_id": key_id,
    }
    return (json.dumps(envelope, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def load_profile(
    data: bytes,
    trusted_public_keys: Iterable[PublicKeyLike],
    *,
    now: datetime | None = None,
) -> Profile:
    """Verify and parse a profile file; raise a `ProfileError` subclass when refused.

    `trusted_public_keys` are the organisation keys this computer trusts (PEM or key
    objects), normally from `homeagent.security.trust.load_trusted_keys`.
    """
    envelope = _envelope(data)
    body: dict[str, Any] = envelope["profile"]
    key_id: str = envelope["key_id"]
    trusted = {key_id_of(k): k for k in map(parse_public_key, trusted_public_keys)}
    if not trusted:
        raise ProfileUntrustedKey(
            "No trusted organisation key is configured on this computer, so no "
            "provisioning profile can be accepted. Ask IT to reinstall HomeAgent."
        )
    key = trusted.get(key_id)
    if key is None:
        raise ProfileUntrustedKey(
            f"The provisioning profile is signed with key {key_id}, which is not a trusted "
            f"organisation key on this computer (trusted: {', '.join(sorted(trusted))}). "
            "It was not imported."
        )
    try:
        key.verify(envelope["signature"], canonical_bytes(body))
    except InvalidSignature:
        raise ProfileSignatureInvalid(
            "The provisioning profile's signature does not match its content: the file "
            "was modified after it was signed, or is corrupt. It was not imported."
        ) from None
    profile = _parse_fields(body, key_id)
    moment = now or datetime.now(UTC)
    if profile.is_expired(moment):
        raise ProfileExpired(
            f"The provisioning profile of {profile.organisation} expired on "
            f"{_iso(profile.expires_at)}. Ask IT for a new one; it was not imported."
        )
    if profile.issued_at > moment + CLOCK_SKEW:
        raise ProfileNotYetValid(
            f"The provisioning profile is dated {_iso(profile.issued_at)}, in the future: "
            "check this computer's date and time. It was not imported."
        )
    return profile


def _envelope(data: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ProfileMalformed(
            "This file is not a HomeAgent provisioning profile (it is not JSON)."
        ) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("profile"), dict):
        raise ProfileMalformed("This file is not a HomeAgent provisioning profile.")
    sig, key_id = doc.get("signature"), doc.get("key_id")
    if not isinstance(sig, str) or not isinstance(key_id, str) or not key_id:
        raise ProfileMalformed("The provisioning profile is not signed; it was not imported.")
    try:
        raw_sig = base64.b64decode(sig, validate=True)
    except (binascii.Error, ValueError):
        raise ProfileSignatureInvalid(
            "The provisioning profile's signature is corrupt; it was not imported."
        ) from None
    return {"profile": doc["profile"], "signature": raw_sig, "key_id": key_id.lower()}


def _parse_fields(body: Mapping[str, Any], key_id: str) -> Profile:
    def need(name: str, kind: type | tuple[type, ...], where: Mapping[str, Any] = body) -> Any:
        value = where.get(name)
        if not isinstance(value, kind) or isinstance(value, bool) != (kind is bool):
            raise ProfileMalformed(f"The provisioning profile has no valid '{name}' field.")
        return value

    if body.get("version") != PROFILE_VERSION:
        raise ProfileMalformed(
            f"Unsupported provisioning profile version {body.get('version')!r} "
            f"(this app reads version {PROFILE_VERSION}); update HomeAgent."
        )
    organisation = need("organisation", str).strip()
    server_url = need("server_url", str).rstrip("/")
    parts = urlsplit(server_url)
    if not parts.hostname or parts.scheme not in ("https", "http"):
        raise ProfileMalformed(f"The profile's server address {server_url!r} is not a URL.")
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        raise ProfileMalformed("The profile's server address must use https.")
    ca_pem = need("ca_pem", str)
    if parts.scheme == "https":
        try:
            pem_certificates(ca_pem)
        except ValueError:
            raise ProfileMalformed(
                "The profile's CA certificate (ca_pem) is not a PEM certificate."
            ) from None
    sip_raw = need("sip", dict)
    transport = str(sip_raw.get("transport", "tls")).lower()
    srtp = sip_raw.get("srtp", "mandatory")
    srtp = (
        {True: "mandatory", False: "disabled"}.get(srtp, srtp) if isinstance(srtp, bool) else srtp
    )
    if transport not in _TRANSPORTS or srtp not in _SRTP:
        raise ProfileMalformed("The profile's SIP transport or SRTP setting is not valid.")
    port = need("registrar_port", int, sip_raw)
    if not 0 < port < 65536:
        raise ProfileMalformed("The profile's SIP registrar port is not valid.")
    sip = SipProfile(
        registrar_host=need("registrar_host", str, sip_raw),
        registrar_port=port,
        domain=need("domain", str, sip_raw),
        transport=transport,
        srtp=str(srtp),
    )
    region = str(body.get("default_region") or "FR").upper()
    if len(region) != 2 or not region.isalpha():
        raise ProfileMalformed(f"The profile's default region {region!r} is not a country code.")
    return Profile(
        version=PROFILE_VERSION,
        organisation=organisation,
        server_url=server_url,
        ca_pem=ca_pem,
        sip=sip,
        default_region=region,
        issued_at=_when(need("issued_at", str), "issued_at"),
        expires_at=_when(need("expires_at", str), "expires_at"),
        key_id=key_id,
    )


def _when(text: str, name: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ProfileMalformed(f"The profile's '{name}' is not an ISO-8601 date.") from None
    if value.tzinfo is None:
        raise ProfileMalformed(f"The profile's '{name}' has no time zone (use ...Z).")
    return value.astimezone(UTC)


def _iso(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
