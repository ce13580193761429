"""Login, token refresh, logout."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime

from fastapi import APIRouter, Request
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from homeagent.server import call_supervision, schemas
from homeagent.server.auth import (
    REFRESH_GRACE,
    hash_password,
    issue_access_token,
    needs_rehash,
    new_refresh_token,
    next_refresh_token,
    refresh_hash,
    verify_password,
)
from homeagent.server.deps import Auth, Ctx, ServerContext
from homeagent.server.errors import ApiError
from homeagent.server.events import publish
from homeagent.server.models import Device, RetiredRefreshToken, User, utcnow
from homeagent.server.views import user_out

router = APIRouter(prefix="/auth", tags=["auth"])
audit = logging.getLogger("homeagent.server.audit")
RETIRED_KEPT = 50  # retired refresh tokens remembered per device


def _tokens(
    ctx: ServerContext, user: User, device: Device, refresh: str, device_key: str | None = None
) -> schemas.TokensOut:
    return schemas.TokensOut(
        access_token=issue_access_token(ctx.token_secret, user.id, device.id, ctx.access_ttl_s),
        refresh_token=refresh,
        expires_in_s=ctx.access_ttl_s,
        device_id=device.id,
        user=user_out(user),
        device_key=device_key,
    )


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _enrolled_device(s: Session, user_id: str, device_key: str | None) -> Device | None:
    """The device of `user_id` that holds `device_key` (an admin revocation clears it)."""
    if not device_key:
        return None
    return s.scalar(
        select(Device).where(
            Device.user_id == user_id, Device.login_key_hash == _key_hash(device_key)
        )
    )


@router.post("/login", response_model=schemas.TokensOut)
def login(body: schemas.LoginIn, ctx: Ctx, request: Request) -> schemas.TokensOut:
    """Password login; creates a device, its first refresh token and its device key.

    Failures make the account wait (doubling after a few), known user name or not; a
    login that presents the device key of one of the user's PCs does not wait. Many
    failures from one address (any user names) are refused for a while.
    """
    address = request.client.host if request.client else "?"
    if ctx.failures_by_address.blocked(address):
        raise ApiError(429, "locked_out", "Too many failed logins from here; wait a minute.")
    with ctx.db.read() as s:
        user = s.scalar(select(User).where(User.name == body.username))
        enrolled = _enrolled_device(s, user.id, body.device_key) if user is not None else None
    if enrolled is None and ctx.backoff.wait_s(body.username) > 0:
        raise ApiError(429, "locked_out", "Too many failed logins; try again in a few minutes.")
    ok = verify_password(user.password_hash if user else None, body.password)
    if user is None or not ok or not user.active:
        ctx.failures_by_address.record(address)
        if enrolled is None:
            ctx.backoff.failed(body.username)
        raise ApiError(401, "bad_credentials", "Wrong user name or password.")
    if enrolled is None:
        ctx.backoff.succeeded(body.username)
    refresh, digest = new_refresh_token()
    device_key = secrets.token_urlsafe(32)
    with ctx.db.write() as s:
        row = s.get(User, user.id)
        assert row is not None
        if row.password_hash and needs_rehash(row.password_hash):
            row.password_hash = hash_password(body.password)  # costs raised since it was set
        if enrolled is not None:  # the key moves to the new device of this PC
            old = s.get(Device, enrolled.id)
            if old is not None:
                old.login_key_hash = None
        device = Device(
            user_id=row.id,
            name=body.device_name,
            refresh_hash=digest,
            login_key_hash=_key_hash(device_key),
        )
        s.add(device)
        s.flush()
    return _tokens(ctx, row, device, refresh, device_key)


@router.post("/refresh", response_model=schemas.TokensOut)
def refresh(body: schemas.RefreshIn, ctx: Ctx) -> schemas.TokensOut:
    """Exchange a refresh token for new tokens; the old one stops working.

    The answer to a refresh may be lost on a home connection: inside REFRESH_GRACE the
    replaced token may be presented once more and gets the same new token. Any other
    presentation of a replaced token is reuse (two parties hold the device's tokens):
    the whole device is revoked and an audit line is written (OAuth 2.0 security BCP).
    """
    presented = refresh_hash(body.refresh_token)
    reused: Device | None = None
    with ctx.db.write() as s:
        device = s.scalar(select(Device).where(Device.refresh_hash == presented))
        retry = False
        if device is None:
            device = s.scalar(select(Device).where(Device.previous_refresh_hash == presented))
            if device is None:
                retired = s.get(RetiredRefreshToken, presented)
                device = s.get(Device, retired.device_id) if retired is not None else None
                if device is None:
                    raise ApiError(401, "invalid_refresh_token", "The refresh token is not valid.")
                if device.revoked_at is None:
                    reused = _revoke_family(s, device)
            elif device.revoked_at is None:
                rotated = device.rotated_at
                fresh = rotated is not None and utcnow() - rotated <= REFRESH_GRACE
                if fresh and device.refresh_retries == 0:
                    retry = True
                else:
                    reused = _revoke_family(s, device)
        if reused is None and device.revoked_at is not None:
            raise ApiError(401, "device_revoked", "This device has been revoked; enrol it again.")
        user = s.get(User, device.user_id) if reused is None else None
        if reused is None and (user is None or not user.active):
            raise ApiError(401, "account_disabled", "This account is disabled.")
        if reused is None and retry:
            assert device.rotated_at is not None
            assert device.previous_refresh_hash is not None
            token = next_refresh_token(
                ctx.token_secret, device.id, presented, _stamp(device.rotated_at)
            )
            if refresh_hash(token) != device.refresh_hash:  # rotated on since: not a retry
                raise ApiError(401, "invalid_refresh_token", "The refresh token is not valid.")
            device.refresh_retries = 1
        elif reused is None:
            token = _rotate(ctx, s, device, presented)
    if reused is not None:
        audit.warning(
            "refresh_token_reuse device=%s user=%s: a replaced refresh token was presented "
            "again; the device and all its tokens are revoked",
            reused.id,
            reused.user_id,
        )
        raise ApiError(401, "invalid_refresh_token", "The refresh token is not valid.")
    assert user is not None
    return _tokens(ctx, user, device, token)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")


def _rotate(ctx: ServerContext, s: Session, device: Device, presented: str) -> str:
    """Replace the current token; the one it replaced before is retired for good."""
    if device.previous_refresh_hash is not None:
        s.merge(RetiredRefreshToken(token_hash=device.previous_refresh_hash, device_id=device.id))
    now = utcnow()
    token = next_refresh_token(ctx.token_secret, device.id, presented, _stamp(now))
    device.previous_refresh_hash = presented
    device.rotated_at = now
    device.refresh_retries = 0
    device.refresh_hash = refresh_hash(token)
    s.flush()
    keep = (
        select(RetiredRefreshToken.token_hash)
        .where(RetiredRefreshToken.device_id == device.id)
        .order_by(RetiredRefreshToken.retired_at.desc())
        .limit(RETIRED_KEPT)
    )
    s.execute(
        delete(RetiredRefreshToken).where(
            RetiredRefreshToken.device_id == device.id,
            RetiredRefreshToken.token_hash.not_in(keep.scalar_subquery()),
        )
    )
    return token


def _revoke_family(s: Session, device: Device) -> Device:
    """Revoke the device whose token was reused: every token it holds dies with it."""
    device.revoked_at = utcnow()
    device.refresh_hash = None
    device.login_key_hash = None
    publish(s, "device_revoked", {"device_id": device.id}, to_device_id=device.id)
    call_supervision.end_for_device(s, device)
    return device


@router.post("/logout", response_model=schemas.OkOut)
def logout(p: Auth, ctx: Ctx) -> schemas.OkOut:
    """Revoke this device's tokens (its device key still spares the PC the back-off)."""
    with ctx.db.write() as s:
        device = s.get(Device, p.device_id)
        if device is not None:
            device.revoked_at = utcnow()
            device.refresh_hash = None
            publish(s, "device_revoked", {"device_id": device.id}, to_device_id=device.id)
            call_supervision.end_for_device(s, device)
    return schemas.OkOut()
