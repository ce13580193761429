"""`Idempotency-Key` on POST/PUT/PATCH: same key + same body replays the first response.

Keys are scoped per user. The same key with a different request is 409
`idempotency_conflict`; while the first is still running, 409 `idempotency_in_progress`.
Responses 401/429/5xx are not stored, so a retry after a token refresh or an outage runs
for real.
"""

from __future__ import annotations

import hashlib
import json

import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from homeagent.server.auth import TokenError, read_access_token
from homeagent.server.db import Database
from homeagent.server.models import IdempotencyRecord

_METHODS = frozenset({"POST", "PUT", "PATCH"})
_NOT_STORED = frozenset({401, 429})
MAX_KEY_LEN = 100


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _METHODS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        key = headers.get("idempotency-key")
        ctx = scope["app"].state.ctx
        user_id = _user_of(ctx.token_secret, headers.get("authorization", ""))
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
        stored = await anyio.to_thread.run_sync(_claim, ctx.db, user_id, key, digest)
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


def _user_of(secret: str, authorization: str) -> str | None:
    if not authorization.lower().startswith("bearer "):
        return None
    try:
        return read_access_token(secret, authorization[7:].strip()).user_id
    except TokenError:
        return None


def _claim(db: Database, user_id: str, key: str, digest: str) -> IdempotencyRecord | None:
    """Reserve the key (status 0 = in progress); return the existing record if taken."""
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
