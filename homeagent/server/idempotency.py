"""`Idempotency-Key` on POST/PUT/PATCH: same key + same body replays the first response.

Keys are scoped per user. The same key with a different request is 409
`idempotency_conflict`; while the first is still running, 409 `idempotency_in_progress`.
Responses 401/429/5xx are not stored, so a retry after a token refresh or an outage runs
for real. `/auth/*` answers (tokens, in clear) are never stored, nor a supervision session's start
(its one-time token). A replay needs a token
whose device is still valid (a revoked device gets its 401, not the stored answer), and
records expire after `Limits.idempotency_ttl_s`.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from datetime import timedelta

import anyio.to_thread
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from homeagent.server.db import Database
from homeagent.server.deps import ServerContext, authenticate
from homeagent.server.errors import ApiError
from homeagent.server.models import IdempotencyRecord, utcnow

_METHODS = frozenset({"POST", "PUT", "PATCH"})
_NOT_STORED = frozenset({401, 429})
MAX_KEY_LEN = 100
_NEVER_STORED_PREFIX = "/api/v1/auth/"
# a supervision session's answer holds its one-time token, which the server keeps only
# as a hash: never stored either (a retried start is refused 409, it opens nothing twice)
_NEVER_STORED = re.compile(r"^/api/v1/agents/[^/]+/supervision$")
SWEEP_EVERY_S = 60.0


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._last_sweep = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in _METHODS
            or scope["path"].startswith(_NEVER_STORED_PREFIX)
            or _NEVER_STORED.match(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        key = headers.get("idempotency-key")
        ctx: ServerContext = scope["app"].state.ctx
        user_id = None
        if key:
            user_id = await anyio.to_thread.run_sync(
                _user_of, ctx, headers.get("authorization", "")
            )
        if not key or user_id is None:
            await self.app(scope, receive, send)
            return
        if len(key) > MAX_KEY_LEN:
            await _send_json(send, 400, "bad_idempotency_key", "The Idempotency-Key is too long.")
            return
        body = b""
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        digest = hashlib.sha256(
            b"\0".join(
                (scope["method"].encode(), scope["path"].encode(), scope["query_string"], body)
            )
        ).hexdigest()
        ttl = timedelta(seconds=ctx.limits.idempotency_ttl_s)
        if time.monotonic() - self._last_sweep > min(SWEEP_EVERY_S, ttl.total_seconds()):
            self._last_sweep = time.monotonic()
            await anyio.to_thread.run_sync(_sweep, ctx.db, ttl)
        stored = await anyio.to_thread.run_sync(_claim, ctx.db, user_id, key, digest, ttl)
        if stored is not None:
            if stored.request_hash != digest:
                await _send_json(
                    send,
                    409,
                    "idempotency_conflict",
                    "This Idempotency-Key was already used with a different request.",
                )
            elif stored.status_code == 0:
                await _send_json(
                    send,
                    409,
                    "idempotency_in_progress",
                    "A request with this Idempotency-Key is still being processed; retry.",
                )
            else:
                await _send_raw(send, stored.status_code, stored.body)
            return

        sent_body = False

        async def replay_receive() -> Message:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        # The response is held back until it is stored, so a retry that races the
        # first answer already finds it.
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                assert start is not None
                status = int(start["status"])
                keep = status < 500 and status not in _NOT_STORED
                payload = b"".join(chunks)
                await anyio.to_thread.run_sync(_finish, ctx.db, user_id, key, status, payload, keep)
                await send(start)
                await send({"type": "http.response.body", "body": payload})
                return
            await send(message)

        try:
            await self.app(scope, replay_receive, capture_send)
        finally:
            if start is None or chunks == []:  # failed before answering: free the key
                await anyio.to_thread.run_sync(_finish, ctx.db, user_id, key, 0, b"", False)


def _user_of(ctx: ServerContext, authorization: str) -> str | None:
    """The user of a valid token of a device still enrolled, else None (the app answers)."""
    try:
        return authenticate(ctx, authorization).user_id
    except ApiError:
        return None


def _sweep(db: Database, ttl: timedelta) -> None:
    """Forget the records older than `ttl` (finished or abandoned alike)."""
    with db.write() as s:
        s.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < utcnow() - ttl))


def _claim(
    db: Database, user_id: str, key: str, digest: str, ttl: timedelta
) -> IdempotencyRecord | None:
    """Reserve the key (status 0 = in progress); return the existing record if taken."""
    with db.write() as s:  # an expired record no longer holds its key
        s.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.user_id == user_id,
                IdempotencyRecord.key == key,
                IdempotencyRecord.created_at < utcnow() - ttl,
            )
        )
    try:
        with db.write() as s:
            s.add(
                IdempotencyRecord(
                    user_id=user_id, key=key, request_hash=digest, status_code=0, body=b""
                )
            )
        return None
    except IntegrityError:
        with db.read() as s:
            return s.scalar(
                select(IdempotencyRecord).where(
                    IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
                )
            )


def _finish(db: Database, user_id: str, key: str, status: int, body: bytes, keep: bool) -> None:
    """Store the answer for replays, or release the key so a retry runs for real."""
    with db.write() as s:
        record = s.get(IdempotencyRecord, (user_id, key))
        if record is None:
            return
        if keep:
            record.status_code, record.body = status, body
        else:
            s.delete(record)


async def _send_raw(send: Send, status: int, body: bytes, *, replayed: bool = True) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if replayed:
        headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_json(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    await _send_raw(send, status, body, replayed=False)
