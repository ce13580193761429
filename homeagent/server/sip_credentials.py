"""Per-device SIP credentials: each enrolled device has its own digest identity.

A device registers the user's address of record (`sip:<user.sip_username>@<domain>`, so
calls reach the user on whichever of their devices answers) but authenticates with a
digest user name of its own, `<sip_username>.<8 hex>`, and a secret issued to that device
alone (`POST /provisioning/sip`). The server keeps only the digest HA1
(MD5 of `auth_user:realm:secret`, the realm being the SIP domain at issuance): the clear
secret leaves the server once, in that answer, and lives on the device's keyring.
Kamailio fetches `HA1 AOR-user` through the ACD hook (`/acd/sip-credential`), checks the
digest with `pv_auth_check` (HA1 flag) and then that the device speaks for its own user.
Revoking the device (or logging out, or disabling the user) makes the hook answer 404, so
its REGISTER gets 403 once Kamailio's cache entry expires.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from homeagent.server.models import Device, User, utcnow


@dataclass(frozen=True, slots=True)
class IssuedCredential:
    """A device's new SIP digest identity (the secret is excluded from `repr`)."""

    auth_username: str
    realm: str
    secret: str = field(repr=False)


def digest_ha1(auth_username: str, realm: str, secret: str) -> str:
    """RFC 2617 HA1 for MD5: what Kamailio needs to check a digest, never the secret."""
    return hashlib.md5(f"{auth_username}:{realm}:{secret}".encode()).hexdigest()  # noqa: S324


def new_sip_secret() -> str:
    """A fresh SIP secret: 144 random bits, URL-safe text."""
    return secrets.token_urlsafe(18)


def issue(s: Session, device: Device, user: User, realm: str) -> IssuedCredential:
    """Give `device` a new digest identity (replacing any previous one of that device)."""
    while True:
        auth_username = f"{user.sip_username}.{secrets.token_hex(4)}"
        taken = s.scalar(select(Device.id).where(Device.sip_auth_user == auth_username))
        if taken is None:
            break
    secret = new_sip_secret()
    device.sip_auth_user = auth_username
    device.sip_ha1 = digest_ha1(auth_username, realm, secret)
    device.sip_realm = realm
    device.sip_issued_at = utcnow()
    s.flush()
    return IssuedCredential(auth_username, realm, secret)


def for_kamailio(s: Session, auth_username: str) -> tuple[str, str] | None:
    """(HA1, AOR user) of a live credential: an active device of an active user; else None."""
    row = s.execute(
        select(Device.sip_ha1, User.sip_username)
        .join(User, User.id == Device.user_id)
        .where(
            Device.sip_auth_user == auth_username,
            Device.revoked_at.is_(None),
            Device.sip_ha1.is_not(None),
            User.active.is_(True),
        )
    ).first()
    if row is None or row.sip_ha1 is None:
        return None
    return row.sip_ha1, row.sip_username
