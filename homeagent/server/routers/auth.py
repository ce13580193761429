"""Login, token refresh, logout."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import select

from homeagent.server import schemas
from homeagent.server.auth import (
    LOCKOUT,
    MAX_FAILED_LOGINS,
    REFRESH_GRACE,
    FailureWindow,
    hash_password,
    issue_access_token,
    needs_rehash,
    new_refresh_token,
    refresh_hash,
    verify_password,
)
from homeagent.server.deps import Auth, Ctx, ServerContext
from homeagent.server.errors import ApiError
from homeagent.server.events import publish
from homeagent.server.models import Device, User, utcnow
from homeagent.server.views import user_out

router = APIRouter(prefix="/auth", tags=["auth"])


def _tokens(ctx: ServerContext, user: User, device: Device, refresh: str) -> schemas.TokensOut:
    return schemas.TokensOut(
        access_token=issue_access_token(ctx.token_secret, user.id, device.id, ctx.access_ttl_s),
        refresh_token=refresh,
        expires_in_s=ctx.access_ttl_s,
        device_id=device.id,
        user=user_out(user),
    )


_failures_by_address = FailureWindow()


@router.post("/login", response_model=schemas.TokensOut)
def login(body: schemas.LoginIn, ctx: Ctx, request: Request) -> schemas.TokensOut:
    """Password login; creates a device and its first refresh token.

    Five failures lock the account for five minutes; many failures from one address
    (any user names) are refused for a minute.
    """
    now = utcnow()
    address = request.client.host if request.client else "?"
    if _failures_by_address.blocked(address):
        raise ApiError(429, "locked_out", "Too many failed logins from here; wait a minute.")
    with ctx.db.read() as s:
        user = s.scalar(select(User).where(User.name == body.username))
    if user is not None and user.locked_until is not None and user.locked_until > now:
        raise ApiError(429, "locked_out", "Too many failed logins; try again in a few minutes.")
    ok = verify_password(user.password_hash if user else None, body.password)
    if user is None or not ok or not user.active:
        _failures_by_address.record(address)
        if user is not None:
            _count_failure(ctx, user.id)
        raise ApiError(401, "bad_credentials", "Wrong user name or password.")
    refresh, digest = new_refresh_token()
    with ctx.db.write() as s:
        row = s.get(User, user.id)
        assert row is not None
        row.failed_logins, row.locked_until = 0, None
        if row.password_hash and needs_rehash(row.password_hash):
            row.password_hash = hash_password(body.password)  # costs raised since it was set
        device = Device(user_id=row.id, name=body.device_name, refresh_hash=digest)
        s.add(device)
        s.flush()
    return _tokens(ctx, row, device, refresh)


def _count_failure(ctx: ServerContext, user_id: str) -> None:
    with ctx.db.write() as s:
        row = s.get(User, user_id)
        if row is None:
            return
        row.failed_logins += 1
        if row.failed_logins >= MAX_FAILED_LOGINS:
            row.failed_logins = 0
            row.locked_until = utcnow() + LOCKOUT


@router.post("/refresh", response_model=schemas.TokensOut)
def refresh(body: schemas.RefreshIn, ctx: Ctx) -> schemas.TokensOut:
    """Exchange a refresh token for new tokens; the old one stops working (see grace below)."""
    presented = refresh_hash(body.refresh_token)
    with ctx.db.write() as s:
        device = s.scalar(select(Device).where(Device.refresh_hash == presented))
        if device is None:
            # The answer to a refresh may have been lost on a home connection: the token it
            # replaced stays good for REFRESH_GRACE, once more, then never again.
            device = s.scalar(select(Device).where(Device.previous_refresh_hash == presented))
            rotated = device.rotated_at if device is not None else None
            if device is None or rotated is None or utcnow() - rotated > REFRESH_GRACE:
                raise ApiError(401, "invalid_refresh_token", "The refresh token is not valid.")
        if device.revoked_at is not None:
            raise ApiError(401, "device_revoked", "This device has been revoked; enrol it again.")
        user = s.get(User, device.user_id)
        if user is None or not user.active:
            raise ApiError(401, "account_disabled", "This account is disabled.")
        token, digest = new_refresh_token()
        replaced = device.refresh_hash == presented
        device.previous_refresh_hash = presented if replaced else None
        device.rotated_at = utcnow() if replaced else None
        device.refresh_hash = digest
    return _tokens(ctx, user, device, token)


@router.post("/logout", response_model=schemas.OkOut)
def logout(p: Auth, ctx: Ctx) -> schemas.OkOut:
    """Revoke this device's tokens."""
    with ctx.db.write() as s:
        device = s.get(Device, p.device_id)
        if device is not None:
            device.revoked_at = utcnow()
            device.refresh_hash = None
            publish(s, "device_revoked", {"device_id": device.id}, to_device_id=device.id)
    return schemas.OkOut()
